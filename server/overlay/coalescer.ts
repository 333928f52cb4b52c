import type { MissionDto } from '../domain/types.js';
import type { DomainEvent, PledgeAddedEvent } from '../events/types.js';
import type { UnsequencedMessage } from './protocol.js';

/** Schedules `fn` after `ms`; returns a cancel function. Injected so tests drive time. */
export type Schedule = (fn: () => void, ms: number) => () => void;

/** At most one message per mission per interval: 10 per second. */
export const MISSION_UPDATE_INTERVAL_MS = 100;
/** Mission numbers never repeat in a channel, so late events for these are stale. */
const RESOLVED_MEMORY = 256;

export interface ChannelCoalescer {
  /** Feeds one bus event of this channel. */
  push(event: DomainEvent): void;
  /** Cancels the pending tick; nothing is emitted afterwards. */
  dispose(): void;
}

/** The counts summed over the merged events, and the latest event for the totals. */
interface PendingPledge extends Pick<PledgeAddedEvent, 'count' | 'amount' | 'newBackers'> {
  last: PledgeAddedEvent;
  order: number;
}

interface Slot {
  mission: { dto: MissionDto; order: number } | null;
  pledge: PendingPledge | null;
}

/**
 * Turns one channel's bus events into overlay messages, rate-limited per channel tick.
 *
 * Leading edge: when the channel has been quiet for an interval, an update goes out at once.
 * Updates within the next 100 ms wait in their mission's slot and leave together at the end of
 * the interval, in one `emit` (the hub writes a tick's messages to each socket in one write) —
 * pledges merged (counts summed, latest totals), mission updates keeping the latest. Each mission
 * gets at most ONE message per tick, so at most 10 per second; when both kinds wait, the mission
 * goes first (carrying the newer totals) and the merged pledge follows one tick later, so the
 * burst animation is never lost. `resolved` skips the queue: it carries the final mission, so
 * that mission's pending updates are dropped.
 */
export function createChannelCoalescer(options: {
  emit: (messages: UnsequencedMessage[]) => void;
  now: () => number;
  schedule: Schedule;
}): ChannelCoalescer {
  const { emit, now, schedule } = options;
  const slots = new Map<number, Slot>();
  const resolved = new Set<number>();
  let order = 0;
  let lastTickAt = Number.NEGATIVE_INFINITY;
  let cancelTimer: (() => void) | null = null;
  let disposed = false;

  const slotFor = (missionNumber: number): Slot => {
    let slot = slots.get(missionNumber);
    if (slot === undefined) {
      slot = { mission: null, pledge: null };
      slots.set(missionNumber, slot);
    }
    return slot;
  };

  /** The slot's message for this tick, taken out of the slot; null when nothing waits. */
  const take = (missionNumber: number, slot: Slot): UnsequencedMessage | null => {
    const { mission, pledge } = slot;
    if (mission !== null) {
      slot.mission = null;
      let dto = mission.dto;
      if (pledge !== null && pledge.order > mission.order) {
        // The waiting pledge is newer than this mission update: show its totals now.
        dto = { ...dto, pot: pledge.last.pot, backers: pledge.last.backers, newestBacker: pledge.last.newestBacker };
      }
      return { type: 'mission', mission: dto };
    }
    if (pledge === null) return null;
    slot.pledge = null;
    return {
      type: 'pledge',
      missionNumber,
      count: pledge.count,
      amount: pledge.amount,
      newBackers: pledge.newBackers,
      pot: pledge.last.pot,
      backers: pledge.last.backers,
      newestBacker: pledge.last.newestBacker,
    };
  };

  const tick = (): void => {
    if (disposed) return;
    const messages: UnsequencedMessage[] = [];
    let more = false;
    for (const [number, slot] of slots) {
      const message = take(number, slot);
      if (message !== null) messages.push(message);
      if (slot.mission === null && slot.pledge === null) slots.delete(number);
      else more = true;
    }
    if (messages.length === 0) return;
    lastTickAt = now();
    emit(messages);
    if (more) arm();
  };

  const arm = (): void => {
    if (cancelTimer !== null) return;
    const wait = lastTickAt + MISSION_UPDATE_INTERVAL_MS - now();
    if (wait <= 0) {
      tick();
      return;
    }
    cancelTimer = schedule(() => {
      cancelTimer = null;
      tick();
    }, wait);
  };

  const rememberResolved = (missionNumber: number): void => {
    resolved.add(missionNumber);
    if (resolved.size > RESOLVED_MEMORY) {
      const oldest = resolved.values().next();
      if (oldest.done !== true) resolved.delete(oldest.value);
    }
  };

  return {
    push(event) {
      // The overlay shows missions only; channel changes (pause) are for the dashboard's boards.
      if (disposed || event.type === 'channel') return;
      if (event.type === 'resolved') {
        const number = event.mission.number;
        slots.delete(number);
        rememberResolved(number);
        emit([{ type: 'resolved', outcome: event.outcome, cause: event.cause, mission: event.mission }]);
        return;
      }
      const number = event.type === 'pledge' ? event.missionNumber : event.mission.number;
      // Another process may deliver an update after the verdict; it must not resurrect the card.
      if (resolved.has(number)) return;
      const slot = slotFor(number);
      order += 1;
      if (event.type === 'mission') {
        slot.mission = { dto: event.mission, order };
      } else if (slot.pledge === null) {
        slot.pledge = { count: event.count, amount: event.amount, newBackers: event.newBackers, last: event, order };
      } else {
        slot.pledge.count += event.count;
        slot.pledge.amount += event.amount;
        slot.pledge.newBackers += event.newBackers;
        // Totals only grow while a mission is open; keep the larger in case processes interleave.
        if (event.pot >= slot.pledge.last.pot) slot.pledge.last = event;
        slot.pledge.order = order;
      }
      arm();
    },
    dispose() {
      disposed = true;
      cancelTimer?.();
      cancelTimer = null;
      slots.clear();
    },
  };
}
