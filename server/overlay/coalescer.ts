import type { MissionDto } from '../domain/types.js';
import type { DomainEvent, PledgeAddedEvent } from '../events/types.js';
import type { UnsequencedMessage } from './protocol.js';

/** Schedules `fn` after `ms`; returns a cancel function. Injected so tests drive time. */
export type Schedule = (fn: () => void, ms: number) => () => void;

/** At most one message per mission per interval: 10 per second (SPEC §9). */
export const MISSION_UPDATE_INTERVAL_MS = 100;
/** Mission numbers never repeat in a channel, so late events for these are stale. */
const RESOLVED_MEMORY = 256;

export interface ChannelCoalescer {
  /** Feeds one bus event of this channel. */
  push(event: DomainEvent): void;
  /** Cancels pending timers; nothing is emitted afterwards. */
  dispose(): void;
}

interface PendingPledge {
  count: number;
  amount: number;
  newBackers: number;
  last: PledgeAddedEvent;
  order: number;
}

interface Slot {
  lastFlushAt: number;
  cancelTimer: (() => void) | null;
  mission: { dto: MissionDto; order: number } | null;
  pledge: PendingPledge | null;
}

/**
 * Turns one channel's bus events into overlay messages, rate-limited per mission.
 *
 * Leading edge: the first update of a quiet mission goes out at once; updates within the next
 * 100 ms wait in the mission's slot and leave together at the end of the interval — pledges
 * merged (counts summed, latest totals), mission updates keeping the latest. A slot emits ONE
 * message per interval; when both kinds wait, the mission goes first (carrying the newer totals)
 * and the merged pledge follows one interval later, so the burst animation is never lost.
 * `resolved` skips the queue: it carries the final mission, so pending updates are dropped.
 */
export function createChannelCoalescer(options: {
  emit: (message: UnsequencedMessage) => void;
  now: () => number;
  schedule: Schedule;
}): ChannelCoalescer {
  const { emit, now, schedule } = options;
  const slots = new Map<number, Slot>();
  const resolved = new Set<number>();
  let order = 0;
  let disposed = false;

  const slotFor = (missionNumber: number): Slot => {
    let slot = slots.get(missionNumber);
    if (slot === undefined) {
      slot = { lastFlushAt: Number.NEGATIVE_INFINITY, cancelTimer: null, mission: null, pledge: null };
      slots.set(missionNumber, slot);
    }
    return slot;
  };

  const flush = (missionNumber: number, slot: Slot): void => {
    if (disposed) return;
    const { mission, pledge } = slot;
    let message: UnsequencedMessage;
    if (mission !== null) {
      slot.mission = null;
      let dto = mission.dto;
      if (pledge !== null && pledge.order > mission.order) {
        // The waiting pledge is newer than this mission update: show its totals now.
        dto = { ...dto, pot: pledge.last.pot, backers: pledge.last.backers, newestBacker: pledge.last.newestBacker };
      }
      message = { type: 'mission', mission: dto };
    } else if (pledge !== null) {
      slot.pledge = null;
      message = {
        type: 'pledge',
        missionNumber,
        count: pledge.count,
        amount: pledge.amount,
        newBackers: pledge.newBackers,
        pot: pledge.last.pot,
        backers: pledge.last.backers,
        newestBacker: pledge.last.newestBacker,
      };
    } else {
      return;
    }
    slot.lastFlushAt = now();
    emit(message);
    if (slot.mission !== null || slot.pledge !== null) arm(missionNumber, slot);
  };

  const arm = (missionNumber: number, slot: Slot): void => {
    if (slot.cancelTimer !== null) return;
    const wait = slot.lastFlushAt + MISSION_UPDATE_INTERVAL_MS - now();
    if (wait <= 0) {
      flush(missionNumber, slot);
      return;
    }
    slot.cancelTimer = schedule(() => {
      slot.cancelTimer = null;
      flush(missionNumber, slot);
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
      if (disposed) return;
      if (event.type === 'resolved') {
        const number = event.mission.number;
        const slot = slots.get(number);
        slot?.cancelTimer?.();
        slots.delete(number);
        rememberResolved(number);
        emit({ type: 'resolved', outcome: event.outcome, cause: event.cause, mission: event.mission });
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
      arm(number, slot);
    },
    dispose() {
      disposed = true;
      for (const slot of slots.values()) slot.cancelTimer?.();
      slots.clear();
    },
  };
}
