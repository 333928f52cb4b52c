/**
 * Resource types of the REST API, derived from the server's own response schemas, so the
 * dashboard cannot drift from what the server sends. Type-only imports: nothing of the server
 * (nor TypeBox) reaches the bundle.
 */
import type { Static } from '@sinclair/typebox';
import type {
  Channel as ChannelSchema,
  Mission as MissionSchema,
  Pledge as PledgeSchema,
  Settings as SettingsSchema,
  ViewerRef as ViewerRefSchema,
} from '../../../server/http/schemas/resources.js';

export type Mission = Static<typeof MissionSchema>;
export type Channel = Static<typeof ChannelSchema>;
export type Pledge = Static<typeof PledgeSchema>;
export type Settings = Static<typeof SettingsSchema>;
export type ViewerRef = Static<typeof ViewerRefSchema>;
export type MissionStatus = Mission['status'];

export type Role = 'owner' | 'moderator' | 'admin';

/** GET /api/v1/session (its schema lives beside the route, which the browser build cannot import). */
export interface Session {
  signedIn: boolean;
  user: { login: string | null; displayName: string | null; userId: string | null; admin: boolean } | null;
  channels: Array<{ login: string; role: Role }>;
  csrfToken: string | null;
  twitchLogin: boolean;
  demo: boolean;
}

export interface SetupItem {
  id: string;
  ok: boolean;
  title: string;
  detail: string;
  action?: { label: string; href: string; method?: string };
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}
