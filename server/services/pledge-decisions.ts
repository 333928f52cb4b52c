/**
 * The pure part of pledge batching: deciding each pledge of a batch in arrival order against
 * running balances, with idempotency keys resolved. No I/O; the batcher supplies the locked state.
 */
import type { MissionRow } from '../../db/schema.js';
import type { Actor, ChatUser } from '../domain/actor.js';
import { errors, type DomainError } from '../domain/errors.js';
import { decidePledge, type AmountInput } from '../domain/pledge-rules.js';
import type { ChannelSettings } from '../domain/settings.js';
import type { KeyedPledge } from '../repositories/pledge-batch-repository.js';
import type { Channel } from './channels.js';

export { MAX_AMOUNT } from '../domain/bounds.js';
export type { AmountInput } from '../domain/pledge-rules.js';

export interface PledgeRequest {
  channel: Channel;
  number: number;
  amount: AmountInput;
  user: ChatUser;
  actor: Actor;
  /** One effect per key per channel (the bot uses `chat:<messageId>`). */
  idempotencyKey: string | null;
}

export type Decision =
  | { kind: 'accept'; missionId: number; amount: number; balance: number; firstPledge: boolean; pledgeId?: number }
  | { kind: 'error'; error: DomainError }
  /** The same key earlier in the batch (index `of`): one effect, this caller gets its result. */
  | { kind: 'duplicate'; of: number }
  /** The key was committed by an earlier batch. */
  | { kind: 'replay'; existing: KeyedPledge };

export interface DecisionContext {
  settings: ChannelSettings;
  missions: ReadonlyMap<number, MissionRow>;
  /** Locked wallet balances; a viewer without one starts at the channel's starting balance. */
  wallets: ReadonlyMap<string, { balance: number }>;
  replays: ReadonlyMap<string, KeyedPledge>;
  /** `missionId:userId` pairs that already have a pledge. */
  backed: ReadonlySet<string>;
}

const sameAmount = (a: AmountInput, b: AmountInput) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Decides every pledge of a batch in arrival order against running balances: the same answers
 * the per-pledge path gives when the pledges run one after another. Pure.
 */
export function decideBatch(requests: readonly PledgeRequest[], ctx: DecisionContext): Decision[] {
  const balances = new Map<string, number>();
  const firstOfKey = new Map<string, number>();
  const backed = new Set(ctx.backed);
  const s = ctx.settings;
  return requests.map((r, i): Decision => {
    const fail = (error: DomainError): Decision => ({ kind: 'error', error });
    const key = r.idempotencyKey;
    if (key !== null) {
      const existing = ctx.replays.get(key);
      if (existing) {
        const same = existing.userId === r.user.userId && existing.missionNumber === r.number && (typeof r.amount !== 'number' || r.amount === existing.amount);
        return same ? { kind: 'replay', existing } : fail(errors.idempotencyConflict());
      }
      const first = firstOfKey.get(key);
      if (first !== undefined) {
        const f = requests[first]!;
        const same = f.user.userId === r.user.userId && f.number === r.number && sameAmount(f.amount, r.amount);
        return same ? { kind: 'duplicate', of: first } : fail(errors.idempotencyConflict());
      }
      firstOfKey.set(key, i);
    }
    const mission = ctx.missions.get(r.number);
    if (!mission) return fail(errors.missionNotFound(r.number));
    if (mission.status !== 'open') return fail(errors.missionNotOpen(r.number, mission.status));
    const userId = r.user.userId;
    const balance = balances.get(userId) ?? ctx.wallets.get(userId)?.balance ?? s.startingBalance;
    const decision = decidePledge(r.amount, balance, s);
    if (!decision.ok) return fail(decision.error);
    const { amount } = decision;
    balances.set(userId, decision.balance);
    const pair = `${mission.id}:${userId}`;
    const firstPledge = !backed.has(pair);
    backed.add(pair);
    return { kind: 'accept', missionId: mission.id, amount, balance: decision.balance, firstPledge };
  });
}

/** A bounded, least-recently-used set of (user id, login, display name) already in `users`. */
export function createKnownUsers(capacity: number): { has(user: ChatUser): boolean; remember(users: readonly ChatUser[]): void } {
  const known = new Map<string, string>();
  const signature = (u: ChatUser) => `${u.login}\n${u.displayName}`;
  return {
    has(user) {
      const hit = known.get(user.userId) === signature(user);
      if (hit) {
        known.delete(user.userId);
        known.set(user.userId, signature(user));
      }
      return hit;
    },
    remember(users) {
      if (capacity <= 0) return;
      for (const u of users) {
        known.delete(u.userId);
        known.set(u.userId, signature(u));
      }
      for (const oldest of known.keys()) {
        if (known.size <= capacity) break;
        known.delete(oldest);
      }
    },
  };
}

