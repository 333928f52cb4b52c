/**
 * What the mission services need from the job system. Implemented over BullMQ (jobs/queues.ts);
 * job ids are deterministic (`deadline-<missionId>`), so scheduling twice keeps one job.
 */
export type TimerKind = 'deadline' | 'grace' | 'pending';

export interface MissionScheduler {
  /** (Re)schedules the timer of `kind` for the mission to fire at `at`. */
  schedule(kind: TimerKind, missionId: number, at: Date): Promise<void>;
  /** Removes every timer of the mission (after a verdict). */
  cancelAll(missionId: number): Promise<void>;
  /** Queues the settlement of a terminal mission (idempotent). */
  enqueueSettlement(missionId: number): Promise<void>;
}

export const timerJobId = (kind: TimerKind, missionId: number) => `${kind}-${missionId}`;
export const settlementJobId = (missionId: number) => `settle-${missionId}`;
