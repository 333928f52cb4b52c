/** The Helix calls this app makes, as plain data (the rest of the code never sees twurple classes). */
import type { ChatUser } from '../domain/actor.js';
import type { TwitchIntegration } from './integration.js';

export interface TwitchUser {
  id: string;
  login: string;
  displayName: string;
}

export interface LiveStream {
  broadcasterId: string;
  login: string;
  displayName: string;
}

const statusOf = (err: unknown) => (err as { statusCode?: unknown }).statusCode;

export function createHelix(twitch: TwitchIntegration) {
  const { api } = twitch;
  return {
    async userByLogin(login: string): Promise<TwitchUser | null> {
      const user = await api.users.getUserByName(login);
      return user ? { id: user.id, login: user.name, displayName: user.displayName } : null;
    },

    async userById(id: string): Promise<TwitchUser | null> {
      const user = await api.users.getUserById(id);
      return user ? { id: user.id, login: user.name, displayName: user.displayName } : null;
    },

    /** The stream when live, null when offline. */
    async liveStream(broadcasterId: string): Promise<LiveStream | null> {
      const stream = await api.streams.getStreamByUserId(broadcasterId);
      return stream ? { broadcasterId: stream.userId, login: stream.userName, displayName: stream.userDisplayName } : null;
    },

    /**
     * Everyone in chat (all pages), asked as the bot (it must be a moderator of the channel).
     * Null when no token allows it, so the caller falls back to chat activity.
     */
    async chatters(broadcasterId: string): Promise<ChatUser[] | null> {
      const botId = twitch.botUserId();
      if (!botId) return null;
      try {
        const all = await api.asUser(botId, (ctx) => ctx.chat.getChattersPaginated(broadcasterId).getAll());
        return all.map((c) => ({ userId: c.userId, login: c.userName, displayName: c.userDisplayName }));
      } catch (err) {
        const status = statusOf(err);
        if (status === 401 || status === 403) return null;
        throw err;
      }
    },

    /** The channel's moderators (all pages), asked with the broadcaster's token. */
    async moderators(broadcasterId: string): Promise<TwitchUser[]> {
      const all = await api.asUser(broadcasterId, (ctx) => ctx.moderation.getModeratorsPaginated(broadcasterId).getAll());
      return all.map((m) => ({ id: m.userId, login: m.userName, displayName: m.userDisplayName }));
    },
  };
}

export type Helix = ReturnType<typeof createHelix>;
