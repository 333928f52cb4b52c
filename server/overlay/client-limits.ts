/**
 * Limits on what one overlay client can make the server do. Overlay keys sit in OBS scene URLs and
 * leak, so any holder of one is treated as hostile: its pings are budgeted, and sockets are
 * capped per channel and per client address (one socket's queue is bounded by the hub's
 * slow-consumer limits, so these caps bound the memory all overlays can hold).
 */

/**
 * Pings a client may send: a burst of PING_BURST, refilled at one per PING_REFILL_MS. The page
 * pings every 20 s; a ping beyond the budget is a bad frame, so a flood is closed within the
 * hub's bad-frame cap instead of keeping the client "alive" while its replies pile up.
 */
export const PING_BURST = 3;
export const PING_REFILL_MS = 1_000;
/** The bench runs 2,000 overlays of one channel from one address, so the defaults sit above that. */
export const DEFAULT_SOCKET_LIMITS = { perChannel: 5_000, perAddress: 2_500 } as const;
export const CLOSE_TOO_MANY_SOCKETS = { code: 1013, reason: 'too many overlay connections' } as const;

/** A token bucket of pings. */
export interface PingBudget {
  tokens: number;
  refilledAt: number;
}

export const fullPingBudget = (burst: number, now: number): PingBudget => ({ tokens: burst, refilledAt: now });

/** Takes one ping from the budget; false when it is spent. */
export function takePing(budget: PingBudget, burst: number, now: number): boolean {
  const refill = Math.floor((now - budget.refilledAt) / PING_REFILL_MS);
  if (refill > 0) {
    budget.tokens = Math.min(burst, budget.tokens + refill);
    budget.refilledAt += refill * PING_REFILL_MS;
  }
  if (budget.tokens === 0) return false;
  budget.tokens -= 1;
  return true;
}

/** Open sockets per client address. */
export function createAddressCounter(max: number) {
  const counts = new Map<string, number>();
  return {
    full: (address: string | null): boolean => address !== null && (counts.get(address) ?? 0) >= max,
    add(address: string | null): void {
      if (address !== null) counts.set(address, (counts.get(address) ?? 0) + 1);
    },
    remove(address: string | null): void {
      if (address === null) return;
      const left = (counts.get(address) ?? 1) - 1;
      if (left > 0) counts.set(address, left);
      else counts.delete(address);
    },
  };
}
