/** Channels: creation with their system accounts, settings, overlay keys, totals. */
import { randomBytes } from 'node:crypto';
import type { Database, Executor } from '../../db/client.js';
import type { ChannelRow } from '../../db/schema.js';
import { SERVER_ORIGIN, settingsChanges, type ActivityBy } from '../domain/activity-origin.js';
import { errors } from '../domain/errors.js';
import { isPlainText } from '../domain/grammar/text.js';
import { DEFAULT_SETTINGS, resolveSettings, settingsProblems, type ChannelSettings } from '../domain/settings.js';
import {
  channelTotals,
  findChannelByLogin,
  insertChannel,
  listChannels,
  updateChannel,
  type ChannelTotals,
} from '../repositories/channels-repository.js';
import { createSystemAccounts } from '../ledger/accounts.js';
import { recordActivity } from './activity.js';
import { publishSafely, type ServiceDeps } from './context.js';
import { withRetry } from './transaction.js';
import { isTwitchLogin } from '../domain/twitch-login.js';

export interface Channel {
  id: number;
  login: string;
  broadcasterId: string | null;
  displayName: string | null;
  settings: ChannelSettings;
  overlayKey: string;
  missionsPaused: boolean;
}

export const newOverlayKey = () => randomBytes(24).toString('base64url');

export function toChannel(row: ChannelRow): Channel {
  return {
    id: row.id,
    login: row.login,
    broadcasterId: row.broadcasterId,
    displayName: row.displayName,
    settings: resolveSettings(row.settings),
    overlayKey: row.overlayKey,
    missionsPaused: row.missionsPaused,
  };
}

/** Stored overrides: only the settings that differ from the defaults. */
function overridesOf(settings: ChannelSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (JSON.stringify(value) !== JSON.stringify((DEFAULT_SETTINGS as unknown as Record<string, unknown>)[key])) out[key] = value;
  }
  return out;
}

export interface ChannelServiceOptions {
  /**
   * Looks the login up on Twitch (Helix) when a channel is added without a broadcaster id; null
   * when Twitch has no such user. Absent without Twitch credentials, and a Twitch outage only
   * leaves the id unresolved (the accrual job resolves it later), so creation works offline.
   */
  resolveBroadcaster?: (login: string) => Promise<{ id: string; displayName: string } | null>;
  onResolveError?: (login: string, err: unknown) => void;
  /** Where pause/resume is announced (the live boards listen); none in tools without a bus. */
  events?: Pick<ServiceDeps, 'bus' | 'logger'>;
  /** Told after a channel was created (committed), so every process can pick it up at once. */
  onCreated?: (channel: Channel) => void;
}

export function createChannelService(db: Database, options: ChannelServiceOptions = {}) {
  async function get(login: string, tx: Executor = db): Promise<Channel> {
    const row = await findChannelByLogin(tx, login);
    if (!row) throw errors.channelNotFound(login);
    return toChannel(row);
  }

  /** `by`: who creates it, for the audit trail (the server itself when not said). */
  async function create(
    input: {
      login: string;
      broadcasterId?: string | null;
      displayName?: string | null;
      settings?: Partial<ChannelSettings>;
    },
    by: ActivityBy = SERVER_ORIGIN,
  ): Promise<Channel> {
    const login = input.login.toLowerCase();
    if (!isTwitchLogin(login)) throw errors.validation(`"${input.login}" is not a valid Twitch login`);
    if (input.displayName && !isPlainText(input.displayName)) throw errors.validation('displayName must be plain visible text');
    const settings = resolveSettings(input.settings ?? {});
    const problems = settingsProblems(settings);
    if (problems.length > 0) throw errors.validation(problems.join('; '));
    let resolved: { id: string; displayName: string } | null = null;
    if (!input.broadcasterId && options.resolveBroadcaster) {
      try {
        resolved = await options.resolveBroadcaster(login);
      } catch (err) {
        options.onResolveError?.(login, err);
      }
    }
    const created = await withRetry(db, async (tx) => {
      const row = await insertChannel(tx, {
        login,
        broadcasterId: input.broadcasterId ?? resolved?.id ?? null,
        displayName: input.displayName ?? resolved?.displayName ?? null,
        settings: overridesOf(settings),
        overlayKey: newOverlayKey(),
      });
      if (!row) throw errors.channelExists(login);
      await createSystemAccounts(tx, row.id);
      await recordActivity(tx, by, { channelId: row.id, action: 'channel.created', details: { login } });
      return toChannel(row);
    });
    options.onCreated?.(created);
    return created;
  }

  /** Creates the channel with default settings unless it exists (for TWITCH_CHANNELS at start-up). */
  async function ensure(login: string): Promise<Channel> {
    try {
      return await create({ login });
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'CHANNEL_EXISTS') return get(login);
      throw err;
    }
  }

  async function updateSettings(login: string, patch: Partial<ChannelSettings>, by: ActivityBy = SERVER_ORIGIN): Promise<Channel> {
    const updated = await writeSettings(login, patch, by);
    // Bots cache channels for a few seconds; this tells every one of them to read the new settings now.
    if (options.events) {
      publishSafely(options.events, [{ type: 'channel', channel: updated.login, at: new Date().toISOString(), missionsPaused: updated.missionsPaused }]);
    }
    return updated;
  }

  /** Applies `patch`; records the keys whose value changed, and nothing (no write) when none did. */
  function writeSettings(login: string, patch: Partial<ChannelSettings>, by: ActivityBy): Promise<Channel> {
    return withRetry(db, async (tx) => {
      const row = await findChannelByLogin(tx, login, 'update');
      if (!row) throw errors.channelNotFound(login);
      const current = resolveSettings(row.settings);
      const next: ChannelSettings = {
        ...current,
        ...patch,
        accrual: { ...current.accrual, ...(patch.accrual ?? {}) },
      };
      const problems = settingsProblems(next);
      // Each problem starts with the setting it is about: that is the field to point at.
      if (problems.length > 0) throw errors.validation(problems.join('; '), { field: problems[0]!.split(' ')[0] ?? '' });
      const changes = settingsChanges(current as unknown as Record<string, unknown>, next as unknown as Record<string, unknown>);
      if (changes.length === 0) return toChannel(row);
      await recordActivity(tx, by, { channelId: row.id, action: 'settings.changed', details: { changes } });
      return toChannel(await updateChannel(tx, row.id, { settings: overridesOf(next) }));
    });
  }

  async function rotateOverlayKey(login: string, by: ActivityBy = SERVER_ORIGIN): Promise<Channel> {
    return withRetry(db, async (tx) => {
      const row = await findChannelByLogin(tx, login, 'update');
      if (!row) throw errors.channelNotFound(login);
      await recordActivity(tx, by, { channelId: row.id, action: 'overlay.key_rotated' });
      return toChannel(await updateChannel(tx, row.id, { overlayKey: newOverlayKey() }));
    });
  }

  /** Pauses or resumes new missions; setting the flag to the value it has records nothing. */
  async function setPaused(login: string, paused: boolean, by: ActivityBy = SERVER_ORIGIN): Promise<Channel> {
    const updated = await withRetry(db, async (tx) => {
      const row = await findChannelByLogin(tx, login, 'update');
      if (!row) throw errors.channelNotFound(login);
      if (row.missionsPaused === paused) return toChannel(row);
      await recordActivity(tx, by, { channelId: row.id, action: paused ? 'channel.paused' : 'channel.resumed' });
      return toChannel(await updateChannel(tx, row.id, { missionsPaused: paused }));
    });
    if (options.events) {
      publishSafely(options.events, [{ type: 'channel', channel: updated.login, at: new Date().toISOString(), missionsPaused: updated.missionsPaused }]);
    }
    return updated;
  }

  async function totals(channelId: number): Promise<ChannelTotals> {
    return channelTotals(db, channelId);
  }

  async function list(): Promise<Channel[]> {
    return (await listChannels(db)).map(toChannel);
  }

  return { get, create, ensure, updateSettings, rotateOverlayKey, setPaused, totals, list };
}

export type ChannelService = ReturnType<typeof createChannelService>;

/** Every channel's id and login, for the admin's channel list; no settings are resolved. */
export async function listChannelLogins(db: Executor): Promise<Array<{ id: number; login: string }>> {
  return (await listChannels(db)).map(({ id, login }) => ({ id, login }));
}

/** The stored channel of a login, or null: what the command-line tools start from. */
export function findChannelRow(db: Executor, login: string): Promise<ChannelRow | null> {
  return findChannelByLogin(db, login);
}
