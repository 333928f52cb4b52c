/**
 * Pledge-confirmation coalescing. A quiet channel gets a personal confirmation per pledge; a
 * pledge storm gets at most one summary per mission per window ("#3 +12 pledges, pot 4,350").
 * Text-free: the caller localises the summary and enqueues it with key
 * `pledges:<channel>:<missionNumber>`, so the outbox also keeps only the newest one.
 *
 * "+12" counts pledges since the last confirmation that reached chat, not since the last one
 * emitted: when the outbox replaces a waiting summary with a newer one, or drops it, its pledges
 * must roll into the next. The caller reports delivery with `acknowledge` (wire it to the
 * outbox's `onSent`); until then the counts keep accumulating.
 */
import type { Schedule } from './outbox.js';

export interface PledgeNotice {
  missionNumber: number;
  viewerLogin: string;
  amount: number;
  /** The mission's pot after this pledge. */
  pot: number;
  /** Distinct backers after this pledge. */
  backers: number;
  /** First pledge of this viewer on this mission. */
  newBacker: boolean;
  /** Pledges this notice stands for, when the caller already batched (default 1). */
  count?: number;
  /** New backers among them, when batched (default: 1 if `newBacker`, else 0). */
  newBackers?: number;
}

export type PledgeConfirmation =
  | { kind: 'single'; missionNumber: number; login: string; amount: number; pot: number; backers: number; newBacker: boolean }
  | { kind: 'summary'; missionNumber: number; count: number; newBackers: number; amount: number; pot: number; backers: number };

export interface PledgeCoalescerOptions {
  /** Minimum time between two confirmations for one mission. */
  windowMs: number;
  now: () => number;
  schedule: Schedule;
  emit: (channel: string, confirmation: PledgeConfirmation) => void;
}

export interface PledgeCoalescer {
  add(channel: string, notice: PledgeNotice): void;
  /** The confirmation reached chat: later summaries count only pledges after it. */
  acknowledge(channel: string, confirmation: PledgeConfirmation): void;
  /** Emits everything pending now (shutdown, or a verdict about to be announced). */
  flush(channel?: string, missionNumber?: number): void;
  /** Drops a settled mission's state; pending pledges are emitted first. */
  forget(channel: string, missionNumber: number): void;
  /** Cancels timers; pending pledges are discarded. */
  close(): void;
}

interface Tally {
  count: number;
  newBackers: number;
  amount: number;
}

interface MissionState {
  channel: string;
  missionNumber: number;
  lastEmitAt: number;
  // Pledges commit concurrently, so their reported pots can arrive out of order; the highest
  // seen is the truest, and pots only grow while a mission takes pledges.
  maxPot: number;
  maxBackers: number;
  /** Pledges not yet covered by an acknowledged confirmation. */
  unreported: Tally;
  last: PledgeNotice | null;
  /** Something arrived since the last emission. */
  dirty: boolean;
  cancel: (() => void) | null;
}

/** Creates a pledge coalescer; state is per (channel, mission) inside the returned object. */
export function createPledgeCoalescer(options: PledgeCoalescerOptions): PledgeCoalescer {
  const { windowMs, now, schedule, emit } = options;
  const missions = new Map<string, MissionState>();
  const id = (channel: string, missionNumber: number): string => `${channel}\u0000${missionNumber}`;

  const emitPending = (state: MissionState): void => {
    state.cancel?.();
    state.cancel = null;
    const { last, unreported } = state;
    if (!state.dirty || !last || unreported.count === 0) return;
    state.dirty = false;
    state.lastEmitAt = now();
    emit(
      state.channel,
      unreported.count === 1
        ? { kind: 'single', missionNumber: state.missionNumber, login: last.viewerLogin, amount: unreported.amount, pot: state.maxPot, backers: state.maxBackers, newBacker: unreported.newBackers > 0 }
        : { kind: 'summary', missionNumber: state.missionNumber, count: unreported.count, newBackers: unreported.newBackers, amount: unreported.amount, pot: state.maxPot, backers: state.maxBackers },
    );
  };

  return {
    add(channel, notice) {
      const key = id(channel, notice.missionNumber);
      let state = missions.get(key);
      if (!state) {
        state = {
          channel,
          missionNumber: notice.missionNumber,
          lastEmitAt: Number.NEGATIVE_INFINITY,
          maxPot: 0,
          maxBackers: 0,
          unreported: { count: 0, newBackers: 0, amount: 0 },
          last: null,
          dirty: false,
          cancel: null,
        };
        missions.set(key, state);
      }
      const count = notice.count ?? 1;
      const newBackers = notice.newBackers ?? (notice.newBacker ? 1 : 0);
      state.maxPot = Math.max(state.maxPot, notice.pot);
      state.maxBackers = Math.max(state.maxBackers, notice.backers);
      state.unreported = {
        count: state.unreported.count + count,
        newBackers: state.unreported.newBackers + newBackers,
        amount: state.unreported.amount + notice.amount,
      };
      state.last = notice;
      state.dirty = true;

      const t = now();
      if (t >= state.lastEmitAt + windowMs) {
        emitPending(state);
        return;
      }
      if (!state.cancel) {
        const target = state;
        state.cancel = schedule(() => {
          target.cancel = null;
          emitPending(target);
        }, state.lastEmitAt + windowMs - t);
      }
    },
    acknowledge(channel, confirmation) {
      const state = missions.get(id(channel, confirmation.missionNumber));
      if (!state) return;
      const seen: Tally =
        confirmation.kind === 'single'
          ? { count: 1, newBackers: confirmation.newBacker ? 1 : 0, amount: confirmation.amount }
          : { count: confirmation.count, newBackers: confirmation.newBackers, amount: confirmation.amount };
      // Subtract rather than reset: pledges that arrived after this confirmation was emitted
      // still need reporting. Clamped, in case a caller acknowledges one confirmation twice.
      state.unreported = {
        count: Math.max(0, state.unreported.count - seen.count),
        newBackers: Math.max(0, state.unreported.newBackers - seen.newBackers),
        amount: Math.max(0, state.unreported.amount - seen.amount),
      };
    },
    flush(channel, missionNumber) {
      for (const state of missions.values()) {
        if (channel !== undefined && state.channel !== channel) continue;
        if (missionNumber !== undefined && state.missionNumber !== missionNumber) continue;
        emitPending(state);
      }
    },
    forget(channel, missionNumber) {
      const key = id(channel, missionNumber);
      const state = missions.get(key);
      if (!state) return;
      emitPending(state);
      missions.delete(key);
    },
    close() {
      for (const state of missions.values()) state.cancel?.();
      missions.clear();
    },
  };
}
