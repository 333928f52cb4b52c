/**
 * Schemas of what the dashboard reads: the session, the setup checklist, the overlay page's
 * answers, and every frame of the live board feed. This file imports TypeBox and the other
 * schema files only, so the browser app can import its types (`Static<typeof BoardFrame>`)
 * without pulling in the server.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';
import { Mission, ViewerRef } from './resources.js';
import { TwitchLogin } from '../../domain/twitch-login.js';
import { PledgeTotals, ResolvedOutcome } from '../../domain/types.js';

export const SessionChannel = Type.Object({
  login: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('owner'), Type.Literal('moderator')]),
});

/** `GET /api/v1/session`. */
export const SessionResponse = Type.Object(
  {
    signedIn: Type.Boolean(),
    user: Nullable(
      Type.Object({
        login: Nullable(Type.String()),
        displayName: Nullable(Type.String()),
        userId: Nullable(Type.String()),
        admin: Type.Boolean(),
      }),
    ),
    channels: Type.Array(SessionChannel),
    csrfToken: Nullable(Type.String()),
    twitchLogin: Type.Boolean(),
    demo: Type.Boolean(),
  },
  { title: 'DashboardSession' },
);

export const SetupItem = Type.Object({
  id: Type.String(),
  ok: Type.Boolean(),
  title: Type.String(),
  detail: Type.String(),
  action: Type.Optional(
    Type.Object({ label: Type.String(), href: Type.String(), method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST')])) }),
  ),
});

/** `GET /api/v1/setup` (channel null) and `GET /api/v1/channels/:channel/setup`. */
export const SetupResponse = Type.Object({ channel: Nullable(Type.String()), items: Type.Array(SetupItem) }, { title: 'SetupChecklist' });

/** `GET /api/v1/channels/:channel/overlay/status`. */
export const OverlayStatus = Type.Object({ connected: Type.Integer() });
/** `POST /api/v1/channels/:channel/overlay/test`. */
export const OverlayTestResult = Type.Object({ connected: Type.Integer(), missionNumber: Type.Integer() });

export const TopBacker = Type.Object({ viewer: ViewerRef, amount: Type.Integer() });

/**
 * Whether the signed-in person may give the mission a verdict (Success / Fail). `code` says why
 * not in a form a translation can key on: `PLEDGED` (a moderator who pledged, with the channel's
 * rule on), `STATUS` (not open or closed).
 */
export const Judgement = Type.Object({
  allowed: Type.Boolean(),
  code: Nullable(Type.Union([Type.Literal('PLEDGED'), Type.Literal('STATUS')])),
  reason: Nullable(Type.String()),
});

export const BoardMission = Type.Composite(
  [
    Mission,
    Type.Object({
      topBackers: Type.Array(TopBacker),
      judge: Judgement,
      /** Points the signed-in person pledged to it (0 for the admin). */
      yourPledge: Type.Integer(),
    }),
  ],
  { title: 'BoardMission' },
);

export const ChannelTotals = Type.Object({
  circulating: Type.Integer(),
  escrow: Type.Integer(),
  treasury: Type.Integer(),
  minted: Type.Integer(),
});

export const BoardChannel = Type.Object({
  login: Type.String(),
  displayName: Nullable(Type.String()),
  missionsPaused: Type.Boolean(),
  currencyName: Type.String(),
  locale: Type.String(),
  resolverMustNotHavePledged: Type.Boolean(),
});

export const DemoChatLine = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  login: Type.String(),
  displayName: Type.String(),
  role: Type.Union([Type.Literal('viewer'), Type.Literal('moderator'), Type.Literal('broadcaster'), Type.Literal('bot')]),
  /** True for the bot's own messages. */
  bot: Type.Boolean(),
  text: Type.String(),
  at: Timestamp,
});

const seq = Type.Integer({ minimum: 0 });

export const SnapshotFrame = Type.Object({
  type: Type.Literal('snapshot'),
  seq,
  stream: Type.String(),
  serverTime: Timestamp,
  channel: BoardChannel,
  role: SessionChannel.properties.role,
  /** Pending, open and closed, biggest pot first. */
  missions: Type.Array(BoardMission),
  /** The last verdicts, newest first. */
  recent: Type.Array(BoardMission),
});
/** The reconnect was resumed: the missed frames follow, from `seq + 1`. */
export const ResumeFrame = Type.Object({ type: Type.Literal('resume'), seq, stream: Type.String(), serverTime: Timestamp });
export const MissionFrame = Type.Object({ type: Type.Literal('mission'), seq, mission: Mission, topBackers: Type.Array(TopBacker) });
export const PledgeFrame = Type.Object({
  type: Type.Literal('pledge'),
  seq,
  ...PledgeTotals.properties,
  topBackers: Type.Array(TopBacker),
});
export const ResolvedFrame = Type.Object({
  type: Type.Literal('resolved'),
  seq,
  outcome: ResolvedOutcome,
  cause: Type.String(),
  mission: Mission,
  topBackers: Type.Array(TopBacker),
  /** The channel's totals after the verdict (a big mission may still be settling). */
  totals: Type.Optional(ChannelTotals),
});
export const ChannelFrame = Type.Object({ type: Type.Literal('channel'), seq, missionsPaused: Type.Boolean() });
export const ChatFrame = Type.Object({ type: Type.Literal('chat'), seq, line: DemoChatLine });
/** The answer to a client `{"type":"ping"}`; outside the seq stream. */
export const PongFrame = Type.Object({ type: Type.Literal('pong'), serverTime: Timestamp });

/** Every frame `/ws/board/:channel` sends. Live frames may carry more fields than listed. */
export const BoardFrame = Type.Union([SnapshotFrame, ResumeFrame, MissionFrame, PledgeFrame, ResolvedFrame, ChannelFrame, ChatFrame, PongFrame]);
export type BoardFrame = Static<typeof BoardFrame>;

/** `POST /api/v1/demo/chat`. */
export const DemoChatBody = Type.Object(
  {
    channel: TwitchLogin,
    login: TwitchLogin,
    role: Type.Union([Type.Literal('viewer'), Type.Literal('moderator')]),
    text: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
