/**
 * Dashboard login through Twitch: the person proves who they are on Twitch; the channel's
 * broadcaster is let in as its `owner`, a moderator (per the synced `channel_moderators`, synced
 * first when a broadcaster token allows) as `moderator`, anyone else is refused. The caller then
 * opens a dashboard session for the Twitch user, whose roles are read again at every request, so
 * a later sync that no longer lists the moderator ends their access.
 */
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import { isDomainError } from '../domain/errors.js';
import type { Channel } from '../services/channels.js';
import type { Helix } from './helix.js';
import type { TwitchIntegration } from './integration.js';
import { isChannelModerator, syncModerators } from './moderators.js';
import { safeError } from './redact.js';

export type DashboardGrant = { kind: 'granted'; role: 'owner' | 'moderator'; channel: string } | { kind: 'refused'; reason: string };

export interface DashboardLoginDeps {
  db: Database;
  twitch: Pick<TwitchIntegration, 'hasBroadcasterToken'>;
  helix: Pick<Helix, 'moderators'>;
  channels: { get(login: string): Promise<Channel> };
  now: () => Date;
  logger: Logger;
}

export type DashboardLogin = (channelLogin: string, user: { userId: string; login: string }) => Promise<DashboardGrant>;

/** The channel's broadcaster: by Twitch id, or by login only while the id is not yet resolved. */
const isBroadcaster = (channel: Channel, user: { userId: string; login: string }) =>
  channel.broadcasterId !== null ? channel.broadcasterId === user.userId : channel.login === user.login;

export function createDashboardLogin(deps: DashboardLoginDeps): DashboardLogin {
  const log = deps.logger.child({ component: 'dashboard-login' });

  async function channelOf(login: string): Promise<Channel | null> {
    try {
      return await deps.channels.get(login);
    } catch (err) {
      if (isDomainError(err)) return null;
      throw err;
    }
  }

  function grant(channel: Channel, role: 'owner' | 'moderator', user: { userId: string; login: string }): DashboardGrant {
    log.info({ channel: channel.login, role, login: user.login }, 'dashboard sign-in through Twitch');
    return { kind: 'granted', role, channel: channel.login };
  }

  return async (channelLogin, user) => {
    const channel = await channelOf(channelLogin);
    if (!channel) return { kind: 'refused', reason: `${channelLogin} is not a channel of this Mission Link.` };
    if (isBroadcaster(channel, user)) return grant(channel, 'owner', user);

    // A fresh list when the broadcaster's token allows it, so a brand-new moderator need not
    // wait for the next accrual run; otherwise (or when Twitch fails) the last synced list.
    if (channel.broadcasterId && deps.twitch.hasBroadcasterToken(channel.broadcasterId)) {
      await syncModerators(deps.db, deps.helix, channel.id, channel.broadcasterId, deps.now()).catch((err: unknown) =>
        log.warn({ channel: channel.login, err: safeError(err) }, 'moderator sync before a dashboard login failed; using the last synced list'),
      );
    }
    if (await isChannelModerator(deps.db, channel.id, user.userId)) return grant(channel, 'moderator', user);
    return {
      kind: 'refused',
      reason: `${user.login} is not a moderator of ${channel.login} (as of the last moderator sync from Twitch).`,
    };
  };
}
