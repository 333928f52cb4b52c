/**
 * What the mission services need from the job system, implemented over BullMQ by
 * server/jobs/mission-jobs.ts. The services sit below the jobs that call them, so the interface
 * they schedule through sits below both.
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
