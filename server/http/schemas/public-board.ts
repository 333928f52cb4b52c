/**
 * Schemas of the public mission board (`/p/<channel>`): every frame of its live feed
 * (`/ws/public/:channel`) and the signed-in viewer's own figures and pledges. Nothing here is
 * per-moderator: no role, no verdict permissions, no overlay key. TypeBox and the other schema
 * files only, so the browser app can import the types.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, StrictObject, Timestamp, MissionNumber } from './common.js';
import { AmountOrShare, Mission, Pledge, Viewer } from './resources.js';
import { ChannelFrame, PongFrame, ResumeFrame, TopBacker } from './dashboard.js';
import { PledgeTotals, ResolvedOutcome } from '../../domain/types.js';

export const PublicMission = Type.Composite([Mission, Type.Object({ topBackers: Type.Array(TopBacker) })], { title: 'PublicMission' });

export const PublicChannel = Type.Object({
  login: Type.String(),
  displayName: Nullable(Type.String()),
  missionsPaused: Type.Boolean(),
  currencyName: Type.String(),
  locale: Type.String(),
});

const seq = Type.Integer({ minimum: 0 });

export const PublicSnapshotFrame = Type.Object({
  type: Type.Literal('snapshot'),
  seq,
  stream: Type.String(),
  serverTime: Timestamp,
  channel: PublicChannel,
  /** Pending, open and closed, biggest pot first. */
  missions: Type.Array(PublicMission),
  /** The last verdicts, newest first. */
  recent: Type.Array(PublicMission),
});
export const PublicMissionFrame = Type.Object({ type: Type.Literal('mission'), seq, mission: Mission, topBackers: Type.Array(TopBacker) });
export const PublicPledgeFrame = Type.Object({ type: Type.Literal('pledge'), seq, ...PledgeTotals.properties, topBackers: Type.Array(TopBacker) });
export const PublicResolvedFrame = Type.Object({
  type: Type.Literal('resolved'),
  seq,
  outcome: ResolvedOutcome,
  cause: Type.String(),
  mission: Mission,
  topBackers: Type.Array(TopBacker),
});

/** Every frame `/ws/public/:channel` sends. */
export const PublicBoardFrame = Type.Union([PublicSnapshotFrame, ResumeFrame, PublicMissionFrame, PublicPledgeFrame, PublicResolvedFrame, ChannelFrame, PongFrame]);

/** `GET /api/v1/channels/:channel/me`: the signed-in viewer's balance and last pledges in the channel. */
export const ViewerMe = Type.Object({ viewer: Viewer, pledges: Type.Array(Pledge) }, { title: 'ViewerMe' });

/** `POST /api/v1/channels/:channel/me/pledges`: a pledge by the signed-in viewer. */
export const MePledgeBody = StrictObject({ mission: MissionNumber, amount: AmountOrShare });
export const MePledgeResponse = Type.Object({ pledge: Pledge, mission: Mission, balance: Type.Integer() }, { title: 'MePledge' });
