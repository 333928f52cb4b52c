/**
 * Mints the balances of a points file as `import` transfers from the channel's mint. Each viewer's
 * transfer is keyed on the file's SHA-256 and the viewer's user id, so importing the same file
 * again (or resuming after a failure) has one effect; the whole file is one transaction, so a
 * failure leaves nothing half-imported. Viewers known only by login are matched to a user id
 * through the users seen in chat, then Helix when Twitch is configured; the rest are kept pending
 * and credited by a later run once their id is known.
 */
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { arrayParam } from '../../db/array-param.js';
import { COMMAND_LINE_ORIGIN, type ActivityBy } from '../domain/activity-origin.js';
import { getSystemAccounts } from '../ledger/accounts.js';
import { applyTransfers } from '../ledger/transfers.js';
import { openImportedWallets } from '../ledger/wallets.js';
import { recordActivity } from '../services/activity.js';
import type { ImportRow } from './parse-points.js';

const CHUNK = 2_000;

/** Resolves Twitch logins to users (Helix). Absent when Twitch is not configured. */
export type LoginResolver = (logins: string[]) => Promise<Map<string, { userId: string; login: string; displayName: string }>>;

export interface ImportPlan {
  /** Viewers credited by this file, with the user id they are credited to. */
  credit: { userId: string; login: string; displayName: string; points: number; line: number }[];
  pending: { login: string; points: number; line: number }[];
  /** Rows whose viewer is another row's viewer once logins are resolved to ids. */
  duplicates: { line: number; reason: string }[];
  byUserId: number;
  byKnownLogin: number;
  byHelix: number;
}

export interface ImportOutcome {
  credited: number;
  creditedPoints: number;
  alreadyImported: number;
  pendingAdded: number;
  pendingCredited: number;
}

type Row = Record<string, unknown>;
const rowsOf = async <T>(tx: Executor, q: ReturnType<typeof sql>) => (await tx.execute(q)).rows as T[];
export const importKey = (fileSha256: string, userId: string) => `${fileSha256.slice(0, 32)}:${userId}`;

/** Matches every row to a user id where one can be found. Reads only. */
export async function planImport(db: Executor, rows: readonly ImportRow[], resolve?: LoginResolver): Promise<ImportPlan> {
  const plan: ImportPlan = { credit: [], pending: [], duplicates: [], byUserId: 0, byKnownLogin: 0, byHelix: 0 };
  const logins = [...new Set(rows.filter((r) => r.userId === null).map((r) => r.login!))];
  const known = new Map<string, { userId: string; login: string; displayName: string }>();
  for (let i = 0; i < logins.length; i += CHUNK) {
    // The most recently seen holder of a login, as `!points @user` resolves it.
    for (const r of await rowsOf<Row>(db, sql`
      SELECT DISTINCT ON (login) login, user_id, display_name FROM users
      WHERE login = ANY(${arrayParam(logins.slice(i, i + CHUNK))}::text[]) ORDER BY login, updated_at DESC`)) {
      known.set(String(r.login), { userId: String(r.user_id), login: String(r.login), displayName: String(r.display_name) });
    }
  }
  const unknown = logins.filter((l) => !known.has(l));
  const fromHelix = resolve && unknown.length > 0 ? await resolve(unknown) : new Map();

  const creditedLine = new Map<string, number>();
  for (const row of rows) {
    let who: { userId: string; login: string; displayName: string } | undefined;
    if (row.userId !== null) {
      who = { userId: row.userId, login: row.login ?? row.userId, displayName: row.login ?? row.userId };
      plan.byUserId += 1;
    } else if ((who = known.get(row.login!))) {
      plan.byKnownLogin += 1;
    } else if ((who = fromHelix.get(row.login!))) {
      plan.byHelix += 1;
    } else {
      plan.pending.push({ login: row.login!, points: row.points, line: row.line });
      continue;
    }
    const first = creditedLine.get(who.userId);
    if (first !== undefined) {
      plan.duplicates.push({ line: row.line, reason: `duplicate viewer ${row.login ?? row.userId} (the same Twitch user as line ${first})` });
      continue;
    }
    creditedLine.set(who.userId, row.line);
    plan.credit.push({ ...who, points: row.points, line: row.line });
  }
  return plan;
}

/** How many of the plan's viewers this file has already credited (a repeated import). */
export async function alreadyImported(db: Executor, channelId: number, fileSha256: string, userIds: readonly string[]): Promise<Set<string>> {
  const done = new Set<string>();
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const keys = userIds.slice(i, i + CHUNK).map((id) => importKey(fileSha256, id));
    for (const r of await rowsOf<Row>(db, sql`
      SELECT idempotency_key FROM transfers WHERE channel_id = ${channelId} AND kind = 'import'
        AND idempotency_key = ANY(${arrayParam(keys)}::text[])`)) {
      done.add(String(r.idempotency_key).slice(33));
    }
  }
  return done;
}

/** Credits viewers not yet credited by their file; returns how many and how much. */
async function creditViewers(
  tx: Executor,
  channelId: number,
  viewers: readonly { userId: string; login: string; displayName: string; points: number; fileSha256: string }[],
): Promise<{ credited: number; points: number; skipped: number }> {
  const { mint } = await getSystemAccounts(tx, channelId);
  let credited = 0;
  let points = 0;
  for (let i = 0; i < viewers.length; i += CHUNK) {
    const chunk = [...viewers.slice(i, i + CHUNK)].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    const done = new Set(
      (await rowsOf<Row>(tx, sql`
        SELECT idempotency_key FROM transfers WHERE channel_id = ${channelId} AND kind = 'import'
          AND idempotency_key = ANY(${arrayParam(chunk.map((v) => importKey(v.fileSha256, v.userId)))}::text[])`)).map((r) => String(r.idempotency_key)),
    );
    const todo = chunk.filter((v) => !done.has(importKey(v.fileSha256, v.userId)));
    if (todo.length === 0) continue;
    // A user seen in chat keeps the login and name chat gave it; the file only fills in new ones.
    await tx.execute(sql`
      INSERT INTO users (user_id, login, display_name)
      SELECT * FROM unnest(${arrayParam(todo.map((v) => v.userId))}::text[], ${arrayParam(todo.map((v) => v.login))}::text[],
                           ${arrayParam(todo.map((v) => v.displayName))}::text[])
      ON CONFLICT (user_id) DO NOTHING`);
    // A wallet made here gets no starting balance: the imported balance takes its place.
    const wallets = await openImportedWallets(tx, channelId, todo.map((v) => v.userId));
    await applyTransfers(
      tx,
      channelId,
      todo.map((v) => ({ from: mint, to: wallets.get(v.userId)!, amount: v.points, kind: 'import' as const, actor: 'import', idempotencyKey: importKey(v.fileSha256, v.userId) })),
    );
    credited += todo.length;
    points += todo.reduce((a, v) => a + v.points, 0);
  }
  return { credited, points, skipped: viewers.length - credited };
}

/**
 * Applies a plan in one transaction: credits, new pending rows, and pending rows whose viewer is
 * now known. One `points.imported` entry in the audit trail says what the import did; importing
 * the same file again changes nothing and records nothing.
 */
export async function applyImport(
  db: Database,
  channelId: number,
  fileSha256: string,
  plan: ImportPlan,
  by: ActivityBy = COMMAND_LINE_ORIGIN,
): Promise<ImportOutcome> {
  return db.transaction(async (tx) => {
    const direct = await creditViewers(tx, channelId, plan.credit.map((v) => ({ ...v, fileSha256 })));
    let pendingAdded = 0;
    for (let i = 0; i < plan.pending.length; i += CHUNK) {
      const chunk = plan.pending.slice(i, i + CHUNK);
      const added = await rowsOf<Row>(tx, sql`
        INSERT INTO point_imports_pending (channel_id, file_sha256, login, points)
        SELECT ${channelId}, ${fileSha256}, l, p FROM unnest(${arrayParam(chunk.map((p) => p.login))}::text[], ${arrayParam(chunk.map((p) => p.points))}::bigint[]) AS u(l, p)
        ON CONFLICT DO NOTHING RETURNING login`);
      pendingAdded += added.length;
    }
    const resolved = await creditPending(tx, channelId);
    const outcome = {
      credited: direct.credited + resolved.credited,
      creditedPoints: direct.points + resolved.points,
      alreadyImported: direct.skipped,
      pendingAdded,
      pendingCredited: resolved.credited,
    };
    if (outcome.credited > 0 || outcome.pendingAdded > 0) {
      await recordActivity(tx, by, {
        channelId,
        action: 'points.imported',
        amount: outcome.creditedPoints,
        details: { fileSha256, ...outcome },
      });
    }
    return outcome;
  });
}

/** Credits pending viewers now known (a run without a file), recorded like an import when any is. */
export async function applyPendingImports(db: Database, channelId: number, by: ActivityBy = COMMAND_LINE_ORIGIN): Promise<{ credited: number; points: number }> {
  return db.transaction(async (tx) => {
    const resolved = await creditPending(tx, channelId);
    if (resolved.credited > 0) {
      await recordActivity(tx, by, {
        channelId,
        action: 'points.imported',
        amount: resolved.points,
        details: { fileSha256: null, credited: resolved.credited, pendingCredited: resolved.credited },
      });
    }
    return resolved;
  });
}

/**
 * Credits the channel's pending imports whose login is now a known user (seen in chat since, or
 * resolved by Helix into `users`). Each keeps its own file's key, so it is credited once.
 */
export async function creditPending(tx: Executor, channelId: number): Promise<{ credited: number; points: number }> {
  const ready = await rowsOf<Row>(tx, sql`
    SELECT p.file_sha256, p.login, p.points, u.user_id, u.display_name
    FROM point_imports_pending p
    JOIN LATERAL (SELECT user_id, display_name FROM users WHERE login = p.login ORDER BY updated_at DESC LIMIT 1) u ON true
    WHERE p.channel_id = ${channelId} AND p.credited_at IS NULL
    ORDER BY p.login FOR UPDATE OF p`);
  if (ready.length === 0) return { credited: 0, points: 0 };
  const result = await creditViewers(
    tx,
    channelId,
    ready.map((r) => ({ userId: String(r.user_id), login: String(r.login), displayName: String(r.display_name), points: Number(r.points), fileSha256: String(r.file_sha256) })),
  );
  await tx.execute(sql`
    UPDATE point_imports_pending p SET credited_at = now(), user_id = u.user_id
    FROM unnest(${arrayParam(ready.map((r) => r.file_sha256))}::text[], ${arrayParam(ready.map((r) => r.login))}::text[],
                ${arrayParam(ready.map((r) => r.user_id))}::text[]) AS u(f, l, user_id)
    WHERE p.channel_id = ${channelId} AND p.file_sha256 = u.f AND p.login = u.l`);
  return { credited: result.credited, points: result.points };
}
