/**
 * Transactions for writes: retried on deadlock/serialisation failure, and optionally idempotent:
 * the first request with a key runs and stores its result in the same transaction; a repeat with
 * the same key and body replays the stored result; a repeat with another body is refused.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.js';
import { MAX_CHANNEL_SUPPLY } from '../domain/bounds.js';
import { errors, type DomainError } from '../domain/errors.js';

export interface IdempotencyRequest {
  /** Namespace of the key, e.g. the channel id. */
  scope: string;
  key: string;
  /** Hash of what the request asks for; a different hash under the same key is a conflict. */
  hash: string;
}

export interface TxResult<T> {
  value: T;
  /** True when the value was replayed from an earlier request with the same key. */
  replayed: boolean;
}

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export function requestHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * The first string `field` on `err` or the errors it wraps (drizzle puts the driver's error in
 * `cause`) that `accept` takes; undefined when none does.
 */
export function pgErrorField(err: unknown, field: 'code' | 'constraint', accept: (value: string) => boolean = () => true): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const value = (current as Record<string, unknown>)[field];
    if (typeof value === 'string' && accept(value)) return value;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const pgCode = (err: unknown): string | undefined => pgErrorField(err, 'code');

export function isPgError(err: unknown, code: string): boolean {
  return pgCode(err) === code;
}

/** The database's balance bound (migration 0010), as the domain error a caller is answered with. */
function boundError(err: unknown): DomainError | undefined {
  if (pgCode(err) !== '23514' || pgErrorField(err, 'constraint') !== 'accounts_balance_bounded') return undefined;
  return errors.balanceLimit(MAX_CHANNEL_SUPPLY);
}

/** Runs `fn` in a transaction, retrying deadlocks and serialisation failures with jittered backoff. */
export function withRetry<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return retryOnConflict(() => db.transaction(fn));
}

/** Runs `transaction` again after a deadlock or serialisation failure, with jittered backoff. */
export async function retryOnConflict<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (err) {
      const code = pgCode(err);
      if (attempt >= MAX_ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw boundError(err) ?? err;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}

/**
 * Records `idempotency` for a write that commits elsewhere (a pledge commits in the batcher's
 * transaction), so every write shares one store: a key first used for another request is refused
 * with 409 here, and any write that later presents this key with another request is refused too.
 * The same request again passes, and the write itself then replays its first effect.
 */
export async function reserveIdempotencyKey(db: Database, idempotency: IdempotencyRequest): Promise<void> {
  await db.execute(sql`
    INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
    VALUES (${idempotency.scope}, ${idempotency.key}, ${idempotency.hash}, 0, 'null'::jsonb)
    ON CONFLICT (scope, key) DO NOTHING`);
  const stored = await db.execute(sql`
    SELECT request_hash FROM idempotency_keys WHERE scope = ${idempotency.scope} AND key = ${idempotency.key}`);
  const row = stored.rows[0] as { request_hash: string } | undefined;
  if (!row || row.request_hash !== idempotency.hash) throw errors.idempotencyConflict();
}

export async function runWrite<T>(
  db: Database,
  idempotency: IdempotencyRequest | undefined,
  fn: (tx: Tx) => Promise<T>,
): Promise<TxResult<T>> {
  if (!idempotency) return { value: await withRetry(db, fn), replayed: false };
  return withRetry(db, async (tx) => {
    // The insert waits on a concurrent holder of the same key until it commits or rolls back.
    const claimed = await tx.execute(sql`
      INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
      VALUES (${idempotency.scope}, ${idempotency.key}, ${idempotency.hash}, 0, 'null'::jsonb)
      ON CONFLICT (scope, key) DO NOTHING RETURNING key`);
    if (claimed.rows.length === 0) {
      const stored = await tx.execute(sql`
        SELECT request_hash, response FROM idempotency_keys WHERE scope = ${idempotency.scope} AND key = ${idempotency.key}`);
      const row = stored.rows[0] as { request_hash: string; response: T } | undefined;
      if (!row || row.request_hash !== idempotency.hash) throw errors.idempotencyConflict();
      return { value: row.response, replayed: true };
    }
    const value = await fn(tx);
    await tx.execute(sql`
      UPDATE idempotency_keys SET status_code = 200, response = ${JSON.stringify(value ?? null)}::jsonb
      WHERE scope = ${idempotency.scope} AND key = ${idempotency.key}`);
    return { value, replayed: false };
  });
}
