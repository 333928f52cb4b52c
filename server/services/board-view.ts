/**
 * What the dashboard's live board shows of a channel: its active missions and last verdicts, each
 * with its top backers and whether the signed-in person may judge it (and why not), following
 * the same rule the verdict service enforces: with `resolverMustNotHavePledged` on, a moderator
 * who pledged to a mission cannot judge it; the broadcaster and the admin always can.
 */
import type { Database } from '../../db/client.js';
import type { MissionRow } from '../../db/schema.js';
import type { ChannelSettings } from '../domain/settings.js';
import type { MissionDto, PledgeDto } from '../domain/types.js';
import { findMission, listMissions } from '../repositories/missions-repository.js';
import { missionsPledgedBy, pledgesOfViewer, recentlyResolved, topBackers, type TopBacker } from '../repositories/board-repository.js';
import type { Channel } from './channels.js';
import { missionDtos, toPledgeDto } from './mission-views.js';
import { errors } from '../domain/errors.js';

export type { TopBacker } from '../repositories/board-repository.js';

export const TOP_BACKERS = 3;
export const RECENT_VERDICTS = 10;

/** Who is looking: their role in the channel and, for a Twitch user, their id. */
export interface BoardViewer {
  role: 'admin' | 'owner' | 'moderator';
  userId: string | null;
  /** The dashboard session, when signed in with one (its sockets close at logout). */
  sessionId?: number;
}

/** Whether the viewer may give this mission a verdict (Success / Fail), and if not, why. */
export interface Judgement {
  allowed: boolean;
  /** Why not, for translations: PLEDGED (a moderator who pledged, rule on) or STATUS (not open or closed). */
  code: 'PLEDGED' | 'STATUS' | null;
  reason: string | null;
}

export type BoardMission = MissionDto & { topBackers: TopBacker[]; judge: Judgement; yourPledge: number };

export interface BoardSnapshot {
  channel: {
    login: string;
    displayName: string | null;
    missionsPaused: boolean;
    currencyName: string;
    locale: string;
    resolverMustNotHavePledged: boolean;
  };
  role: BoardViewer['role'];
  /** Pending, open and closed missions, biggest pots first. */
  missions: BoardMission[];
  /** The last verdicts, newest first. */
  recent: BoardMission[];
}

/** A mission on the public board: what any viewer may see, no per-person fields. */
export type PublicMission = MissionDto & { topBackers: TopBacker[] };

/**
 * What the public board shows to anyone: no role, no verdict permissions, no overlay key, no
 * per-person fields; the signed-in viewer's own figures come from `viewerPledges`.
 */
export interface PublicBoardSnapshot {
  channel: { login: string; displayName: string | null; missionsPaused: boolean; currencyName: string; locale: string };
  /** Pending, open and closed missions, biggest pots first. */
  missions: PublicMission[];
  /** The last verdicts, newest first. */
  recent: PublicMission[];
}

export const VIEWER_PLEDGES = 50;

const JUDGEABLE = new Set(['open', 'closed']);

export function judgementFor(mission: Pick<MissionDto, 'number' | 'status'>, settings: ChannelSettings, viewer: BoardViewer, pledged: boolean): Judgement {
  if (!JUDGEABLE.has(mission.status)) {
    return { allowed: false, code: 'STATUS', reason: `#${mission.number} is ${mission.status}; only an open or closed mission gets a verdict.` };
  }
  if (viewer.role === 'moderator' && settings.resolverMustNotHavePledged && pledged) {
    return { allowed: false, code: 'PLEDGED', reason: `You pledged to #${mission.number}, so you cannot judge it; the broadcaster or another moderator can.` };
  }
  return { allowed: true, code: null, reason: null };
}

export function createBoardView(db: Database, channels: { get(login: string): Promise<Channel> }) {
  async function withBackers(channel: Channel, rows: MissionRow[]): Promise<PublicMission[]> {
    const [dtos, backers] = await Promise.all([missionDtos(db, rows, channel.settings), topBackers(db, rows.map((r) => r.id), TOP_BACKERS)]);
    return dtos.map((dto, i) => ({ ...dto, topBackers: backers.get(rows[i]!.id) ?? [] }));
  }

  async function enrich(channel: Channel, rows: MissionRow[], viewer: BoardViewer): Promise<BoardMission[]> {
    const ids = rows.map((r) => r.id);
    const [missions, pledged] = await Promise.all([
      withBackers(channel, rows),
      viewer.userId === null ? Promise.resolve(new Map<number, number>()) : missionsPledgedBy(db, ids, viewer.userId),
    ]);
    return missions.map((mission, i) => {
      const yourPledge = pledged.get(rows[i]!.id) ?? 0;
      return { ...mission, judge: judgementFor(mission, channel.settings, viewer, yourPledge > 0), yourPledge };
    });
  }

  async function activeAndRecent(channel: Channel): Promise<[MissionRow[], MissionRow[]]> {
    return Promise.all([
      listMissions(db, { channelId: channel.id, statuses: ['pending', 'open', 'closed'], limit: 100 }),
      recentlyResolved(db, channel.id, RECENT_VERDICTS),
    ]);
  }

  return {
    async snapshot(login: string, viewer: BoardViewer): Promise<BoardSnapshot> {
      const channel = await channels.get(login);
      const [activeRows, recentRows] = await activeAndRecent(channel);
      const [missions, recent] = await Promise.all([enrich(channel, activeRows, viewer), enrich(channel, recentRows, viewer)]);
      missions.sort((a, b) => b.pot - a.pot || a.number - b.number);
      return {
        channel: {
          login: channel.login,
          displayName: channel.displayName,
          missionsPaused: channel.missionsPaused,
          currencyName: channel.settings.currencyName,
          locale: channel.settings.locale,
          resolverMustNotHavePledged: channel.settings.resolverMustNotHavePledged,
        },
        role: viewer.role,
        missions,
        recent,
      };
    },

    /** The public board of a channel, the same for everyone. */
    async publicSnapshot(login: string): Promise<PublicBoardSnapshot> {
      const channel = await channels.get(login);
      const [activeRows, recentRows] = await activeAndRecent(channel);
      const [missions, recent] = await Promise.all([withBackers(channel, activeRows), withBackers(channel, recentRows)]);
      missions.sort((a, b) => b.pot - a.pot || a.number - b.number);
      const { displayName, missionsPaused, settings } = channel;
      return { channel: { login: channel.login, displayName, missionsPaused, currencyName: settings.currencyName, locale: settings.locale }, missions, recent };
    },

    /** The last pledges of one viewer in the channel, newest first. */
    async viewerPledges(channel: Channel, user: { userId: string; login: string; displayName: string }): Promise<PledgeDto[]> {
      const rows = await pledgesOfViewer(db, channel.id, user.userId, VIEWER_PLEDGES);
      return rows.map((r) => toPledgeDto({ ...r, userId: user.userId }, r.missionNumber, user));
    },

    /** One mission as the board shows it, for this viewer. */
    async mission(login: string, number: number, viewer: BoardViewer): Promise<BoardMission> {
      const channel = await channels.get(login);
      const row = await findMission(db, channel.id, number);
      if (!row) throw errors.missionNotFound(number);
      return (await enrich(channel, [row], viewer))[0]!;
    },

    /** Top backers of one mission (for live updates, the same for every viewer). */
    async topBackersOf(login: string, number: number): Promise<TopBacker[]> {
      const channel = await channels.get(login);
      const row = await findMission(db, channel.id, number);
      if (!row) return [];
      return (await topBackers(db, [row.id], TOP_BACKERS)).get(row.id) ?? [];
    },
  };
}

export type BoardView = ReturnType<typeof createBoardView>;
