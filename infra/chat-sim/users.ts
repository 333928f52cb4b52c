/**
 * Who is who in the simulated chat: a registry of viewers, per-channel roles (broadcaster,
 * moderators) and the Twitch IRC tag sets derived from them. No I/O; callers pass `now`.
 */
import { channelName } from './irc.js';

/** Options for {@link UserRegistry.createViewer}. Role flags are defaults for every channel. */
export interface ViewerInit {
  login: string;
  /** Twitch user id; derived from the login (stable across simulator restarts) when absent. */
  userId?: string;
  displayName?: string;
  /** `#RRGGBB`; a colour picked from the login when absent. */
  color?: string;
  mod?: boolean;
  broadcaster?: boolean;
  /** Twitch's lead moderator role: badge `lead_moderator/1`, and a moderator as well. */
  leadModerator?: boolean;
  subscriber?: boolean;
  /** Months subscribed, for `badge-info` (default 1). */
  subMonths?: number;
  turbo?: boolean;
}

/** A chat user known to the simulator. */
export interface Viewer {
  readonly login: string;
  readonly userId: string;
  displayName: string;
  color: string;
  mod: boolean;
  broadcaster: boolean;
  leadModerator: boolean;
  subscriber: boolean;
  subMonths: number;
  turbo: boolean;
}

/** A user's effective roles in one channel. */
export interface Roles {
  broadcaster: boolean;
  mod: boolean;
  leadModerator: boolean;
  subscriber: boolean;
}

interface ChannelState {
  name: string;
  /** Set by setBroadcaster; otherwise the user whose login equals the channel name. */
  broadcaster?: string;
  /** Per-channel overrides of the viewer's default `mod` flag. */
  mods: Map<string, boolean>;
  /** Logins that have chatted here, for Twitch's `first-msg` tag. */
  chatted: Set<string>;
}

/** Tag values that replace (string) or remove (null) the generated ones. */
export type TagOverrides = Readonly<Record<string, string | null>>;

const PALETTE = ['#FF0000', '#0000FF', '#008000', '#B22222', '#FF7F50', '#9ACD32', '#FF4500',
  '#2E8B57', '#DAA520', '#D2691E', '#5F9EA0', '#1E90FF', '#FF69B4', '#8A2BE2', '#00FF7F'];

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function normalizeLogin(login: string): string {
  const clean = login.trim().replace(/^@/, '').toLowerCase();
  if (!/^[a-z0-9_]{1,25}$/.test(clean)) throw new Error(`invalid Twitch login: ${JSON.stringify(login)}`);
  return clean;
}

function subscriberBadgeVersion(months: number): string {
  const tiers = [0, 3, 6, 9, 12, 18, 24, 36, 48, 60];
  let version = 0;
  for (const tier of tiers) if (months >= tier) version = tier;
  return String(version);
}

/** Applies overrides on top of generated tags, keeping Twitch's tag order for known keys. */
export function applyOverrides(base: Array<[string, string]>, overrides?: TagOverrides): Array<[string, string]> {
  if (!overrides) return base;
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [k, v] of base) {
    seen.add(k);
    const o = overrides[k];
    if (o === null) continue;
    out.push([k, o ?? v]);
  }
  for (const [k, v] of Object.entries(overrides)) if (!seen.has(k) && v !== null) out.push([k, v]);
  return out;
}

/** Registry of simulated users and channel roles. */
export interface UserRegistry {
  /** Registers (or updates) a viewer; throws if `userId` already belongs to another login. */
  createViewer(init: ViewerInit): Viewer;
  /** The viewer with this login, registered with defaults if unknown. */
  ensureViewer(login: string): Viewer;
  getViewer(login: string): Viewer | undefined;
  /** Changes a viewer's login, keeping the user id (Twitch renames). */
  renameViewer(oldLogin: string, newLogin: string): Viewer;
  setMod(channel: string, login: string, on: boolean): void;
  setBroadcaster(channel: string, login: string): void;
  roles(channel: string, login: string): Roles;
  /** The channel's `room-id`: the broadcaster's user id. */
  roomId(channel: string): string;
  /** Records that a login chatted in a channel; returns true if it was the first time. */
  markChatted(channel: string, login: string): boolean;
  privmsgTags(channel: string, login: string, msg: { id: string; now: number; firstMsg: boolean }, overrides?: TagOverrides): Array<[string, string]>;
  userstateTags(channel: string, login: string, messageId?: string): Array<[string, string]>;
  globalUserstateTags(login: string): Array<[string, string]>;
  roomstateTags(channel: string): Array<[string, string]>;
}

/** Creates an empty registry. */
export function createUserRegistry(): UserRegistry {
  const users = new Map<string, Viewer>();
  const byId = new Map<string, string>();
  const channels = new Map<string, ChannelState>();

  function channelState(channel: string): ChannelState {
    const name = channelName(channel);
    let state = channels.get(name);
    if (!state) {
      state = { name, mods: new Map(), chatted: new Set() };
      channels.set(name, state);
    }
    return state;
  }

  function freshUserId(login: string): string {
    // Derived from the login so a restarted simulator hands out the same ids again.
    let id = 10_000_000 + (fnv1a(login) % 890_000_000);
    while (byId.has(String(id))) id += 1;
    return String(id);
  }

  function createViewer(init: ViewerInit): Viewer {
    const login = normalizeLogin(init.login);
    const existing = users.get(login);
    if (init.userId !== undefined) {
      const owner = byId.get(init.userId);
      if (owner !== undefined && owner !== login) throw new Error(`user id ${init.userId} already belongs to ${owner}`);
    }
    if (existing && init.userId !== undefined && init.userId !== existing.userId) {
      throw new Error(`viewer ${login} already has user id ${existing.userId}`);
    }
    const viewer: Viewer = {
      login,
      userId: existing?.userId ?? init.userId ?? freshUserId(login),
      displayName: init.displayName ?? existing?.displayName ?? login,
      color: init.color ?? existing?.color ?? PALETTE[fnv1a(login) % PALETTE.length] ?? '#FF0000',
      mod: init.mod ?? existing?.mod ?? false,
      broadcaster: init.broadcaster ?? existing?.broadcaster ?? false,
      leadModerator: init.leadModerator ?? existing?.leadModerator ?? false,
      subscriber: init.subscriber ?? existing?.subscriber ?? false,
      subMonths: init.subMonths ?? existing?.subMonths ?? 1,
      turbo: init.turbo ?? existing?.turbo ?? false,
    };
    users.set(login, viewer);
    byId.set(viewer.userId, login);
    return viewer;
  }

  function ensureViewer(login: string): Viewer {
    return users.get(normalizeLogin(login)) ?? createViewer({ login });
  }

  function roles(channel: string, login: string): Roles {
    const state = channelState(channel);
    const viewer = ensureViewer(login);
    const broadcaster = viewer.broadcaster || (state.broadcaster ?? state.name) === viewer.login;
    const mod = state.mods.get(viewer.login) ?? (viewer.mod || viewer.leadModerator);
    return { broadcaster, mod, leadModerator: mod && viewer.leadModerator, subscriber: viewer.subscriber };
  }

  function badges(channel: string, viewer: Viewer): { badges: string; badgeInfo: string; r: Roles } {
    const r = roles(channel, viewer.login);
    const list: string[] = [];
    if (r.broadcaster) list.push('broadcaster/1');
    if (r.leadModerator) list.push('lead_moderator/1');
    else if (r.mod) list.push('moderator/1');
    if (r.subscriber) list.push(`subscriber/${subscriberBadgeVersion(viewer.subMonths)}`);
    if (viewer.turbo) list.push('turbo/1');
    return { badges: list.join(','), badgeInfo: r.subscriber ? `subscriber/${viewer.subMonths}` : '', r };
  }

  function roomId(channel: string): string {
    const state = channelState(channel);
    return ensureViewer(state.broadcaster ?? state.name).userId;
  }

  return {
    createViewer,
    ensureViewer,
    getViewer: (login) => users.get(login.trim().replace(/^@/, '').toLowerCase()),
    renameViewer(oldLogin, newLogin) {
      const old = ensureViewer(oldLogin);
      const login = normalizeLogin(newLogin);
      if (users.has(login)) throw new Error(`login ${login} is taken`);
      users.delete(old.login);
      const renamed: Viewer = { ...old, login, displayName: old.displayName.toLowerCase() === old.login ? login : old.displayName };
      users.set(login, renamed);
      byId.set(renamed.userId, login);
      return renamed;
    },
    setMod(channel, login, on) {
      channelState(channel).mods.set(ensureViewer(login).login, on);
    },
    setBroadcaster(channel, login) {
      channelState(channel).broadcaster = ensureViewer(login).login;
    },
    roles,
    roomId,
    markChatted(channel, login) {
      const state = channelState(channel);
      const key = ensureViewer(login).login;
      if (state.chatted.has(key)) return false;
      state.chatted.add(key);
      return true;
    },
    privmsgTags(channel, login, msg, overrides) {
      const viewer = ensureViewer(login);
      const b = badges(channel, viewer);
      return applyOverrides([
        ['badge-info', b.badgeInfo],
        ['badges', b.badges],
        ['color', viewer.color],
        ['display-name', viewer.displayName],
        ['emotes', ''],
        ['first-msg', msg.firstMsg ? '1' : '0'],
        ['flags', ''],
        ['id', msg.id],
        ['mod', b.r.mod ? '1' : '0'],
        ['returning-chatter', '0'],
        ['room-id', roomId(channel)],
        ['subscriber', b.r.subscriber ? '1' : '0'],
        ['tmi-sent-ts', String(msg.now)],
        ['turbo', viewer.turbo ? '1' : '0'],
        ['user-id', viewer.userId],
        ['user-type', b.r.mod ? 'mod' : ''],
      ], overrides);
    },
    userstateTags(channel, login, messageId) {
      const viewer = ensureViewer(login);
      const b = badges(channel, viewer);
      const tags: Array<[string, string]> = [
        ['badge-info', b.badgeInfo],
        ['badges', b.badges],
        ['color', viewer.color],
        ['display-name', viewer.displayName],
        ['emote-sets', '0'],
      ];
      if (messageId !== undefined) tags.push(['id', messageId]);
      tags.push(['mod', b.r.mod ? '1' : '0'], ['subscriber', b.r.subscriber ? '1' : '0'], ['user-type', b.r.mod ? 'mod' : '']);
      return tags;
    },
    globalUserstateTags(login) {
      const viewer = ensureViewer(login);
      return [
        ['badge-info', ''],
        ['badges', viewer.turbo ? 'turbo/1' : ''],
        ['color', viewer.color],
        ['display-name', viewer.displayName],
        ['emote-sets', '0'],
        ['user-id', viewer.userId],
        ['user-type', ''],
      ];
    },
    roomstateTags(channel) {
      return [
        ['emote-only', '0'],
        ['followers-only', '-1'],
        ['r9k', '0'],
        ['room-id', roomId(channel)],
        ['slow', '0'],
        ['subs-only', '0'],
      ];
    },
  };
}
