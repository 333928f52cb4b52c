/**
 * Deterministic job ids (`deadline-<missionId>`), so scheduling twice keeps one job. The
 * scheduler interface the services call is server/ports/scheduler.ts.
 */
import type { TimerKind } from '../ports/scheduler.js';

export const timerJobId = (kind: TimerKind, missionId: number) => `${kind}-${missionId}`;
export const settlementJobId = (missionId: number) => `settle-${missionId}`;
