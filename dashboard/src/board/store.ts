/**
 * The board's state, fed by the live feed. Messages are applied as they arrive, but subscribers
 * (the page) are told at most once per 100 ms, so a pledge storm re-renders the board at most
 * ten times a second however many frames arrive. Missions are replaced, never mutated, so
 * unchanged cards skip re-rendering.
 */
import type { FeedMessage } from '../api/board-feed.js';
import type { BoardMission, Channel, Judgement, Mission, Role, TopBacker, ViewerRef } from '../api/types.js';

export type { BoardMission, TopBacker } from '../api/types.js';

export interface ChatLine {
  id: string;
  login: string;
  displayName: string;
  text: string;
  bot: boolean;
  at: string;
}

/** What the board needs of its channel; from the feed's snapshot and from the REST channel. */
export interface BoardInfo {
  missionsPaused: boolean;
  currencyName: string;
  resolverMustNotHavePledged: boolean;
}

export interface BoardState {
  info: BoardInfo | null;
  totals: Channel['totals'] | null;
  /** The signed-in user's role on this board, as the feed's snapshot states it. */
  role: Role | null;
  active: Map<number, BoardMission>;
  recent: Mission[];
  chat: ChatLine[];
  /** serverTime - Date.now() at the last snapshot, to run countdowns on the server's clock. */
  clockOffsetMs: number;
  /** Number of messages applied; lets tests and the bench see progress. */
  applied: number;
  /** Snapshots applied (0 until the board first has its missions). */
  snapshots: number;
  lastSeq: number;
}

const ACTIVE: ReadonlySet<string> = new Set(['pending', 'open', 'closed']);
const RECENT_MAX = 10;
const CHAT_MAX = 200;
export const NOTIFY_INTERVAL_MS = 100;

export interface BoardStore {
  readonly state: BoardState;
  apply(message: FeedMessage): void;
  /** Replaces the channel resource (after a REST read). */
  setChannel(channel: Channel): void;
  /** A mission from a REST answer (our own action), applied at once. */
  upsert(mission: BoardMission): void;
  subscribe(listener: () => void): () => void;
  dispose(): void;
}

export function createBoardStore(now: () => number = Date.now): BoardStore {
  const state: BoardState = { info: null, totals: null, role: null, active: new Map(), recent: [], chat: [], clockOffsetMs: 0, applied: 0, snapshots: 0, lastSeq: 0 };
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastNotify = 0;

  const flush = () => {
    timer = undefined;
    lastNotify = now();
    for (const listener of listeners) listener();
  };
  const changed = () => {
    if (timer !== undefined) return;
    const wait = Math.max(0, lastNotify + NOTIFY_INTERVAL_MS - now());
    timer = setTimeout(flush, wait);
  };

  const upsert = (mission: BoardMission) => {
    if (ACTIVE.has(mission.status)) {
      const previous = state.active.get(mission.number);
      state.active.set(mission.number, { ...previous, ...mission });
      return;
    }
    state.active.delete(mission.number);
    state.recent = [mission, ...state.recent.filter((m) => m.number !== mission.number)].slice(0, RECENT_MAX);
  };

  const applyPledge = (message: FeedMessage) => {
    const number = message.missionNumber as number;
    const current = state.active.get(number);
    if (!current) return;
    const next: BoardMission = { ...current };
    if (typeof message.pot === 'number') next.pot = message.pot;
    if (typeof message.backers === 'number') next.backers = message.backers;
    if (message.newestBacker) next.newestBacker = message.newestBacker as ViewerRef;
    if (Array.isArray(message.topBackers)) next.topBackers = message.topBackers as TopBacker[];
    if (message.judge) next.judge = message.judge as Judgement;
    if (typeof message.yourPledge === 'number') next.yourPledge = message.yourPledge;
    state.active.set(number, next);
  };

  return {
    state,
    apply(message) {
      state.applied += 1;
      if (typeof message.seq === 'number') state.lastSeq = message.seq;
      switch (message.type) {
        case 'snapshot': {
          if (message.channel && typeof message.channel === 'object') {
            const c = message.channel as Partial<BoardInfo>;
            state.info = {
              missionsPaused: c.missionsPaused ?? state.info?.missionsPaused ?? false,
              currencyName: c.currencyName ?? state.info?.currencyName ?? 'pts',
              resolverMustNotHavePledged: c.resolverMustNotHavePledged ?? state.info?.resolverMustNotHavePledged ?? true,
            };
          }
          if (typeof message.role === 'string') state.role = message.role as Role;
          state.active = new Map();
          for (const m of (message.missions as BoardMission[] | undefined) ?? []) upsert(m);
          if (Array.isArray(message.recent)) state.recent = (message.recent as Mission[]).slice(0, RECENT_MAX);
          if (typeof message.serverTime === 'string') state.clockOffsetMs = Date.parse(message.serverTime) - now();
          state.snapshots += 1;
          break;
        }
        case 'mission':
        case 'resolved': {
          if (!message.mission) return;
          const mission = message.mission as BoardMission;
          upsert(Array.isArray(message.topBackers) ? { ...mission, topBackers: message.topBackers as TopBacker[] } : mission);
          if (message.totals && typeof message.totals === 'object') state.totals = message.totals as Channel['totals'];
          break;
        }
        case 'pledge':
          if (message.mission) upsert(message.mission as BoardMission);
          else applyPledge(message);
          break;
        case 'channel':
          if (state.info && typeof message.missionsPaused === 'boolean') state.info = { ...state.info, missionsPaused: message.missionsPaused };
          if (message.totals && typeof message.totals === 'object') state.totals = message.totals as Channel['totals'];
          break;
        case 'chat': {
          const line = (message.line ?? message) as Partial<ChatLine> & { role?: string };
          if (typeof line.text !== 'string') return;
          const entry: ChatLine = {
            id: line.id ?? `${message.seq ?? state.applied}`,
            login: line.login ?? '',
            displayName: line.displayName ?? line.login ?? '',
            text: line.text,
            bot: line.bot === true || line.role === 'bot',
            at: line.at ?? new Date().toISOString(),
          };
          state.chat = [...state.chat, entry].slice(-CHAT_MAX);
          break;
        }
        case 'resume':
          break;
        default:
          return;
      }
      changed();
    },
    setChannel(channel) {
      state.info = {
        missionsPaused: channel.missionsPaused,
        currencyName: channel.settings.currencyName,
        resolverMustNotHavePledged: channel.settings.resolverMustNotHavePledged,
      };
      state.totals = channel.totals;
      changed();
    },
    upsert(mission) {
      upsert(mission);
      changed();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      clearTimeout(timer);
      listeners.clear();
    },
  };
}

/** Open missions first by deadline; pending by age. */
export function sortedActive(state: BoardState): { pending: BoardMission[]; open: BoardMission[] } {
  const all = [...state.active.values()];
  const pending = all.filter((m) => m.status === 'pending').sort((a, b) => a.number - b.number);
  const open = all
    .filter((m) => m.status !== 'pending')
    .sort((a, b) => (a.deadline ?? '').localeCompare(b.deadline ?? '') || a.number - b.number);
  return { pending, open };
}
