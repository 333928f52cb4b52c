/**
 * `GET /api/v1/setup` (admin: the first-run list) and `GET /api/v1/channels/:channel/setup`
 * (owner, admin): the setup checklist, from facts gathered here.
 */
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import { requireAdmin, requireOwnerOrAdmin } from '../http/auth/guards.js';
import { ChannelParams, WriteErrors } from '../http/schemas/common.js';
import { SetupResponse } from '../http/schemas/dashboard.js';
import type { Channel } from '../services/channels.js';
import { CHAT_HEARTBEAT_MS, readTwitchSetup } from '../twitch/setup-status.js';
import { channelChecklist, instanceChecklist, type SetupFacts } from './checklist.js';

export const TWITCH_IRC_URL = 'wss://irc-ws.chat.twitch.tv:443';

export interface SetupDeps {
  prefix: string;
  config: Config;
  db: Database;
  channels: { get(login: string): Promise<Channel>; list(): Promise<Channel[]> };
  /** The bot of this process, or null when it runs elsewhere. */
  bot(): { running: boolean; channels: readonly string[] } | null;
  overlays: { connected(channel: string): number; seen(channel: string): boolean };
}

async function missionsEver(db: Database, channelId: number): Promise<number> {
  const result = await db.execute(sql`SELECT count(*)::int AS n FROM missions WHERE channel_id = ${channelId}`);
  return (result.rows[0] as { n: number }).n;
}

export function setupRoutes(deps: SetupDeps): FastifyPluginAsyncTypebox {
  const { config } = deps;
  async function facts(channel: Channel | null): Promise<SetupFacts> {
    const [twitch, all, ever] = await Promise.all([
      readTwitchSetup(deps.db),
      deps.channels.list(),
      channel ? missionsEver(deps.db, channel.id) : Promise.resolve(0),
    ]);
    return {
      twitchApp: { clientId: Boolean(config.twitch.clientId), clientSecret: Boolean(config.twitch.clientSecret), encryptionKey: Boolean(config.tokenEncryptionKey) },
      botEnv: { username: config.twitch.botUsername ?? null, token: Boolean(config.twitch.botToken) },
      simulatedChat: config.twitch.ircUrl !== TWITCH_IRC_URL,
      tokens: twitch.tokens,
      bot: deps.bot(),
      chat: twitch.chat
        ? {
            ok: twitch.chat.ok,
            detail: twitch.chat.detail,
            // The bot rewrites its standing at least every CHAT_HEARTBEAT_MS while it runs.
            fresh: Date.now() - Date.parse(twitch.chat.updatedAt) < 3 * CHAT_HEARTBEAT_MS,
          }
        : null,
      channel: channel
        ? {
            login: channel.login,
            broadcasterId: channel.broadcasterId,
            overlaysConnected: deps.overlays.connected(channel.login),
            overlaySeen: deps.overlays.seen(channel.login),
            missionsEver: ever,
          }
        : null,
      channelCount: all.length,
    };
  }

  return async (app) => {
    app.get(
      `${deps.prefix}/setup`,
      { schema: { tags: ['dashboard'], summary: 'First-run checklist (admin)', response: { 200: SetupResponse, ...WriteErrors } } },
      async (request) => {
        requireAdmin(request);
        return { channel: null, items: instanceChecklist(await facts(null)) };
      },
    );

    app.get(
      `${deps.prefix}/channels/:channel/setup`,
      { schema: { tags: ['dashboard'], summary: "A channel's setup checklist (owner, admin)", params: ChannelParams, response: { 200: SetupResponse, ...WriteErrors } } },
      async (request) => {
        const channel = await deps.channels.get(request.params.channel);
        requireOwnerOrAdmin(request, channel);
        return { channel: channel.login, items: channelChecklist(await facts(channel)) };
      },
    );
  };
}
