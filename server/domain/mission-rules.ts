/** Pure mission lifecycle rules. No I/O, no clock: callers pass `now`. */
import { errors } from './errors.js';
import type { MissionStatus } from './types.js';

export type MissionAction =
  | 'approve'
  | 'reject'
  | 'success'
  | 'fail'
  | 'cancel'
  | 'extend'
  | 'deadline'
  | 'grace_expired'
  | 'pending_timeout';

const TRANSITIONS: Record<MissionAction, Partial<Record<MissionStatus, MissionStatus>>> = {
  approve: { pending: 'open' },
  reject: { pending: 'rejected' },
  success: { open: 'succeeded', closed: 'succeeded' },
  fail: { open: 'failed', closed: 'failed' },
  cancel: { pending: 'cancelled', open: 'cancelled', closed: 'cancelled' },
  extend: { open: 'open', closed: 'open' },
  deadline: { open: 'closed' },
  grace_expired: { closed: 'failed' },
  pending_timeout: { pending: 'rejected' },
};

/** The status after `action`, or an INVALID_TRANSITION error naming the current status. */
export function nextStatus(number: number, status: MissionStatus, action: MissionAction): MissionStatus {
  const next = TRANSITIONS[action][status];
  if (next === undefined) throw errors.invalidTransition(number, status, action.replace('_', ' '));
  return next;
}

export function canTransition(status: MissionStatus, action: MissionAction): boolean {
  return TRANSITIONS[action][status] !== undefined;
}

/** Terminal statuses whose escrow is refunded; `succeeded` pays out instead. */
export function settlementFor(status: MissionStatus): 'paid' | 'refunded' | null {
  if (status === 'succeeded') return 'paid';
  if (status === 'failed' || status === 'cancelled' || status === 'rejected') return 'refunded';
  return null;
}

/** New deadline for `extend`: the extension counts from the later of the old deadline and now. */
export function extendedDeadline(deadline: Date | null, now: Date, extensionMs: number, maxDurationMs: number): Date {
  const base = Math.max(deadline?.getTime() ?? now.getTime(), now.getTime());
  return new Date(Math.min(base + extensionMs, now.getTime() + maxDurationMs));
}
