/**
 * A small channel written with raw SQL that is valid at every migration of the schema: missions in
 * every status, pledges unsettled, paid and refunded, a payout row, a grant, an idempotency key,
 * an owner token and (once its table exists) a stored Twitch token. Balances obey the ledger.
 */
import type pg from 'pg';
import { hashToken } from '../../server/services/tokens.js';

export const OWNER_TOKEN = 'ml_upgrade0owner0token0abcdefghijklmnopqrstuvw';
export const CHANNEL = 'upgradechan';

/** What the API must answer about the data, whatever migration it was written at. */
export const EXPECTED = {
  totals: { circulating: 970 + 915 + 1070, escrow: 10 + 60 + 20 + 15, treasury: 40, minted: 3100 },
  statuses: { 1: 'pending', 2: 'open', 3: 'closed', 4: 'succeeded', 5: 'failed', 6: 'cancelled', 7: 'rejected', 8: 'succeeded' } as Record<number, string>,
  balances: { alice: 970, bob: 915, carol: 1070 } as Record<string, number>,
};

// [mission id = number, status, settled]
const MISSIONS: [number, string, boolean][] = [
  [1, 'pending', false], [2, 'open', false], [3, 'closed', false], [4, 'succeeded', true],
  [5, 'failed', true], [6, 'cancelled', true], [7, 'rejected', true], [8, 'succeeded', false],
];
// [pledge id, mission, wallet account, amount, settlement]
const PLEDGES: [number, number, number, number, string | null][] = [
  [1, 1, 3, 10, null], [2, 2, 3, 10, null], [3, 2, 4, 50, null], [4, 3, 4, 20, null],
  [5, 4, 3, 10, 'paid'], [6, 4, 5, 30, 'paid'], [7, 5, 3, 10, 'refunded'], [8, 5, 4, 25, 'refunded'],
  [9, 6, 5, 10, 'refunded'], [10, 7, 3, 10, 'refunded'], [11, 8, 4, 15, null],
];
const USER_OF: Record<number, string> = { 3: 'u-alice', 4: 'u-bob', 5: 'u-carol' };

export async function writeRepresentativeData(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await write(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

async function write(client: pg.PoolClient): Promise<void> {
  const q = (text: string, values: unknown[] = []) => client.query(text, values);
  await q(`INSERT INTO channels (id, login, broadcaster_id, settings, overlay_key, next_mission_number)
           VALUES (1, $1, '4242', '{"locale":"en","requireApproval":true}', 'overlay-key-upgrade', 9)`, [CHANNEL]);
  for (const [id, login] of [['u-host', CHANNEL], ['u-alice', 'alice'], ['u-bob', 'bob'], ['u-carol', 'carol']]) {
    await q('INSERT INTO users (user_id, login, display_name) VALUES ($1, $2, $2)', [id, login]);
  }
  await q(`INSERT INTO accounts (id, channel_id, kind, user_id, balance) VALUES
    (1, 1, 'mint', NULL, -3100), (2, 1, 'treasury', NULL, 40),
    (3, 1, 'wallet', 'u-alice', 970), (4, 1, 'wallet', 'u-bob', 915), (5, 1, 'wallet', 'u-carol', 1070)`);
  const escrow: Record<number, number> = {};
  for (const [, mission, , amount, settlement] of PLEDGES) if (settlement === null) escrow[mission] = (escrow[mission] ?? 0) + amount;
  for (const [id, status, settled] of MISSIONS) {
    const opened = status === 'pending' || status === 'rejected' ? null : 'now()';
    const resolved = ['succeeded', 'failed', 'cancelled', 'rejected'].includes(status) ? 'now()' : null;
    await q(`INSERT INTO missions (id, channel_id, number, text, status, proposer_id, duration_ms, opened_at, deadline, closed_at, resolved_at, settled, settled_at)
             VALUES ($1, 1, $5, $2, $3, 'u-alice', 1800000, ${opened ?? 'NULL'}, ${opened ? "now() + interval '30 minutes'" : 'NULL'},
                     ${status === 'closed' ? 'now()' : 'NULL'}, ${resolved ?? 'NULL'}, $4, ${settled ? 'now()' : 'NULL'})`,
      [id, `Mission ${id} (${status})`, status, settled, id]);
    await q(`INSERT INTO accounts (id, channel_id, kind, mission_id, balance) VALUES ($1, 1, 'escrow', $2, $3)`, [10 + id, id, escrow[id] ?? 0]);
  }
  let transfer = 0;
  const journal = (from: number, to: number, amount: number, kind: string, extra: { mission?: number; pledge?: number; key?: string; actor?: string } = {}) =>
    q(`INSERT INTO transfers (id, channel_id, from_account, to_account, amount, kind, mission_id, pledge_id, actor, idempotency_key)
       VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [++transfer, from, to, amount, kind, extra.mission ?? null, extra.pledge ?? null, extra.actor ?? null, extra.key ?? null]);
  for (const wallet of [3, 4, 5]) await journal(1, wallet, 1000, 'starting_balance', { key: `start-${USER_OF[wallet]}` });
  await journal(1, 5, 100, 'grant', { key: 'grant-1', actor: 'moderator:u-host' });
  for (const [id, mission, wallet, amount, settlement] of PLEDGES) {
    await q(`INSERT INTO pledges (id, channel_id, mission_id, user_id, amount, idempotency_key, settlement, settled_at)
             VALUES ($1, 1, $2, $3, $4, $5, $6, ${settlement ? 'now()' : 'NULL'})`, [id, mission, USER_OF[wallet], amount, `msg-${id}`, settlement]);
    await journal(wallet, 10 + mission, amount, 'pledge', { mission, pledge: id });
    if (settlement === 'refunded') await journal(10 + mission, wallet, amount, 'refund', { mission, pledge: id });
  }
  await journal(14, 2, 40, 'payout', { mission: 4, key: 'payout-4-0' });
  for (const table of ['channels', 'accounts', 'missions', 'pledges', 'transfers']) {
    await q(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`);
  }
  await q(`INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response) VALUES ('channel:1', 'api-key-1', 'hash', 201, '{"number":2}')`);
  await q(`INSERT INTO api_tokens (channel_id, role, label, token_hash) VALUES (1, 'owner', 'upgrade', $1)`, [hashToken(OWNER_TOKEN)]);
  const twitch = await q(`SELECT to_regclass('public.twitch_tokens') IS NOT NULL AS present`);
  if ((twitch.rows[0] as { present: boolean }).present) {
    await q(`INSERT INTO twitch_tokens (user_id, role, login, scopes, token_enc) VALUES ('4242', 'broadcaster', $1, ARRAY['channel:read:redemptions'], 'v1.sealed')`, [CHANNEL]);
  }
}
