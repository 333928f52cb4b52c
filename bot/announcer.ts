/**
 * Announces mission changes in chat, whichever process made them (chat, dashboard, a timer in
 * the worker), from the event bus.
 *
 * One owner per message kind, so chat never sees the same news twice:
 * | message                                    | owner                                  |
 * |--------------------------------------------|----------------------------------------|
 * | proposed / proposed-and-open / opened      | announcer ('mission' proposed/opened)  |
 * | deadline reached, extended                 | announcer ('mission' closed/extended)  |
 * | success, failed, cancelled, rejected, expiry | announcer ('resolved'), priority verdict |
 * | pledge confirmations                       | the pledge command, via the coalescer  |
 * | balances, mission info, lists, grants      | the command that was asked             |
 * | pause / resume                             | the command (no event exists for it)   |
 * | every error and usage line                 | the command handler                    |
 * Pledges made through the REST API are shown by the overlay, not repeated in chat.
 */
import type { Logger } from 'pino';
import type { DomainEvent, EventBus } from '../server/events/types.js';
import type { MissionDto } from '../server/domain/types.js';
import type { Channel } from '../server/services/channels.js';
import type { ChannelCache } from './channel-cache.js';
import type { LooseParams, MessageKey } from './i18n/index.js';
import { missionScope, type MissionScope, type OutgoingMessage, type Priority } from './output/index.js';
import { renderFor } from './replies.js';
import { createTaskQueue } from './throttle.js';

export interface AnnouncerDeps {
  bus: Pick<EventBus, 'subscribe'>;
  channels: ChannelCache;
  enqueue(channel: string, message: OutgoingMessage): void;
  /** Emits what the pledge coalescer still holds for a mission and forgets it (before its verdict). */
  settlePledges(channel: string, missionNumber: number): void;
  /** Only channels the bot is in get announcements. */
  isJoined(channel: string): boolean;
  logger: Logger;
  now: () => number;
}

interface Announcement {
  key: MessageKey;
  params: LooseParams;
  priority: Priority;
  /** The mission state it reports: the outbox keeps a mission's lines in the order of its states. */
  mission: MissionScope;
}

const msUntil = (iso: string | null, now: number): number | undefined =>
  iso === null ? undefined : Math.max(0, Date.parse(iso) - now);

/** What to say about an event, if anything. Pure. */
export function announcementFor(event: DomainEvent, now: number): Announcement | null {
  // Pledges are confirmed by the pledge coalescer; pause/resume by the command that made it.
  if (event.type === 'pledge' || event.type === 'channel') return null;
  const m: MissionDto = event.mission;
  if (event.type === 'resolved') {
    const base = { number: m.number, pot: m.pot, backers: m.backers, reason: m.reason ?? undefined };
    const verdict = { params: base, priority: 'verdict', mission: missionScope.verdict(m.number) } as const;
    switch (event.outcome) {
      case 'succeeded':
        return { key: 'success', ...verdict };
      case 'failed':
        return { key: 'failed', ...verdict };
      case 'cancelled':
        return { key: 'cancelled', ...verdict };
      case 'rejected':
        return { key: event.cause === 'pending_timeout' ? 'pendingTimedOut' : 'rejected', ...verdict };
    }
  }
  switch (event.change) {
    case 'proposed':
      return {
        key: 'proposed',
        params: { number: m.number, text: m.text, user: m.proposer.login, amount: m.pot },
        priority: 'announce',
        mission: missionScope.proposed(m.number),
      };
    case 'opened':
      // Born open (no approval needed, or a moderator proposed): one message says both.
      return m.openedAt !== null && m.openedAt === m.createdAt
        ? {
            key: 'proposedOpen',
            params: { number: m.number, text: m.text, user: m.proposer.login, amount: m.pot, timeLeftMs: msUntil(m.deadline, now) },
            priority: 'announce',
            mission: missionScope.opened(m.number),
          }
        : { key: 'opened', params: { number: m.number, timeLeftMs: msUntil(m.deadline, now) }, priority: 'announce', mission: missionScope.opened(m.number) };
    case 'closed':
      return { key: 'expired', params: { number: m.number, graceMs: msUntil(m.graceEndsAt, now) }, priority: 'announce', mission: missionScope.closed(m.number) };
    case 'extended':
      // An extension re-opens a closed mission; either way it is taking pledges again.
      return { key: 'extended', params: { number: m.number, timeLeftMs: msUntil(m.deadline, now) ?? 0 }, priority: 'announce', mission: missionScope.opened(m.number) };
    case 'updated':
      return null;
  }
}

/** Subscribes to the bus; returns the unsubscribe function. */
export function startAnnouncer(deps: AnnouncerDeps): () => void {
  const { logger } = deps;
  // Per channel in arrival order: the channel lookup is async and must not reorder news.
  const tasks = createTaskQueue(8);

  async function announce(event: DomainEvent): Promise<void> {
    if (!deps.isJoined(event.channel)) return;
    const what = announcementFor(event, deps.now());
    if (what === null) return;
    const channel: Channel | null = await deps.channels.get(event.channel);
    if (channel === null) return;
    if (event.type === 'resolved') deps.settlePledges(channel.login, event.mission.number);
    const text = renderFor(channel, what.key, what.params);
    if (text !== '') deps.enqueue(channel.login, { text, priority: what.priority, mission: what.mission });
  }

  return deps.bus.subscribe((event) => {
    tasks.run(event.channel, () =>
      announce(event).catch((err: unknown) => logger.error({ err, type: event.type, channel: event.channel }, 'announcement failed')),
    );
  });
}
