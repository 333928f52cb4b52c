/**
 * Resource types of the REST API, derived from the server's own response schemas, so the
 * dashboard cannot drift from what the server sends. Type-only imports: nothing of the server
 * (nor TypeBox) reaches the bundle.
 */
import type { Static } from '@sinclair/typebox';
import type {
  ActorRef as ActorRefSchema,
  Channel as ChannelSchema,
  LedgerRow as LedgerRowSchema,
  Mission as MissionSchema,
  Pledge as PledgeSchema,
  Settings as SettingsSchema,
  Viewer as ViewerSchema,
  ViewerRef as ViewerRefSchema,
} from '../../../server/http/schemas/resources.js';
import type {
  BoardMission as BoardMissionSchema,
  DemoChatLine as DemoChatLineSchema,
  Judgement as JudgementSchema,
  SessionResponse,
  SetupItem as SetupItemSchema,
  TopBacker as TopBackerSchema,
} from '../../../server/http/schemas/dashboard.js';
import type {
  ApiToken as ApiTokenSchema,
  DashboardSession as DashboardSessionSchema,
  IssuedApiToken as IssuedApiTokenSchema,
} from '../../../server/http/schemas/access.js';
import type {
  MePledgeResponse as MePledgeResponseSchema,
  PublicMission as PublicMissionSchema,
  ViewerMe as ViewerMeSchema,
} from '../../../server/http/schemas/public-board.js';
import type { ErrorResponse as ErrorResponseSchema } from '../../../server/http/schemas/common.js';
import type { ActivityEntry as ActivityEntrySchema, ActivityList as ActivityListSchema } from '../../../server/http/schemas/activity.js';
import type { ViewerPledge as ViewerPledgeSchema } from '../../../server/http/schemas/viewers.js';

export type Mission = Static<typeof MissionSchema>;
export type Channel = Static<typeof ChannelSchema>;
export type Pledge = Static<typeof PledgeSchema>;
export type Settings = Static<typeof SettingsSchema>;
export type ViewerRef = Static<typeof ViewerRefSchema>;
export type MissionStatus = Mission['status'];
export type ActorRef = Static<typeof ActorRefSchema>;
export type LedgerRow = Static<typeof LedgerRowSchema>;
/** A page of any list resource. */
export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}

export type Role = 'owner' | 'moderator' | 'admin';

export type Session = Static<typeof SessionResponse>;
export type SetupItem = Static<typeof SetupItemSchema>;
export type TopBacker = Static<typeof TopBackerSchema>;
export type Judgement = Static<typeof JudgementSchema>;
/** A mission on the board; frames after the snapshot carry the mission without the per-viewer fields. */
export type BoardMission = Mission & Partial<Pick<Static<typeof BoardMissionSchema>, 'topBackers' | 'judge' | 'yourPledge'>>;
export type ActivityEntry = Static<typeof ActivityEntrySchema>;
export type ActivityList = Static<typeof ActivityListSchema>;
export type DemoChatLine = Static<typeof DemoChatLineSchema>;
export type Viewer = Static<typeof ViewerSchema>;
export type ViewerPledge = Static<typeof ViewerPledgeSchema>;

export type ApiToken = Static<typeof ApiTokenSchema>;
export type IssuedApiToken = Static<typeof IssuedApiTokenSchema>;
export type DashboardSessionEntry = Static<typeof DashboardSessionSchema>;

export type PublicMission = Static<typeof PublicMissionSchema>;
export type ViewerMe = Static<typeof ViewerMeSchema>;
export type MePledgeResponse = Static<typeof MePledgeResponseSchema>;

/** The one error shape: `{ error: { code, message, field? } }`. */
export type ApiErrorBody = Static<typeof ErrorResponseSchema>;
