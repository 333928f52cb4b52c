/**
 * The database itself refuses journal and pledge rows that cross channels (migration 0005's
 * channel-scoped keys) or name rows that do not exist, whatever the application does.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDeltas } from '../../server/ledger/transfers.js';
import { createChannelService } from '../../server/services/channels.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTestDatabase, pgErrorOf, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
const ids = { a: 0, b: 0, mintA: 0, treasuryA: 0, treasuryB: 0 };

const pgCode = async (query: Promise<unknown>): Promise<string | undefined> => (await pgErrorOf(query))?.code;

beforeAll(async () => {
  database = await createTestDatabase('ledger_constraints');
  const channels = createChannelService(database.db);
  ids.a = (await channels.create({ login: 'chana' })).id;
  ids.b = (await channels.create({ login: 'chanb' })).id;
  const system = async (channelId: number, kind: string) =>
    Number(((await database.db.execute(sql`SELECT id FROM accounts WHERE channel_id = ${channelId} AND kind = ${kind}::account_kind`)).rows[0] as { id: number }).id);
  ids.mintA = await system(ids.a, 'mint');
  ids.treasuryA = await system(ids.a, 'treasury');
  ids.treasuryB = await system(ids.b, 'treasury');
});
afterAll(async () => database?.drop());

describe('channel-scoped keys', () => {
  const transfer = (channelId: number, from: number, to: number, missionId: number | null = null) =>
    database.db.execute(sql`
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, actor)
      VALUES (${channelId}, ${from}, ${to}, 1, 'grant', ${missionId}, 'test')`);

  it("refuses a transfer naming another channel's account", async () => {
    expect(await pgCode(transfer(ids.a, ids.mintA, ids.treasuryB))).toBe('23503');
    expect(await pgCode(transfer(ids.b, ids.mintA, ids.treasuryB))).toBe('23503');
  });

  it('refuses a transfer or pledge naming an unknown account or another channel’s mission', async () => {
    expect(await pgCode(transfer(ids.a, ids.mintA, 999_999))).toBe('23503');
    expect(await pgCode(transfer(ids.a, ids.mintA, ids.treasuryA, 999_999))).toBe('23503');
    await database.db.execute(sql`INSERT INTO users (user_id, login, display_name) VALUES ('u1', 'u1', 'U1')`);
    const mission = await database.db.execute(sql`
      INSERT INTO missions (channel_id, number, text, status, proposer_id, duration_ms)
      VALUES (${ids.b}, 1, 'On channel B', 'open', 'u1', 60000) RETURNING id`);
    const missionB = Number((mission.rows[0] as { id: number }).id);
    expect(await pgCode(database.db.execute(sql`
      INSERT INTO pledges (channel_id, mission_id, user_id, amount) VALUES (${ids.a}, ${missionB}, 'u1', 10)`))).toBe('23503');
    expect(await pgCode(transfer(ids.a, ids.mintA, ids.treasuryA, missionB))).toBe('23503');
  });

  it('refuses a pledge of an unknown user and a journal row naming an unknown pledge', async () => {
    const mission = await database.db.execute(sql`
      INSERT INTO missions (channel_id, number, text, status, proposer_id, duration_ms)
      VALUES (${ids.a}, 1, 'On channel A', 'open', 'u1', 60000) RETURNING id`);
    const missionA = Number((mission.rows[0] as { id: number }).id);
    const refused = await pgErrorOf(database.db.execute(sql`
      INSERT INTO pledges (channel_id, mission_id, user_id, amount) VALUES (${ids.a}, ${missionA}, 'nobody', 10)`));
    expect(refused?.code).toBe('23503');
    expect(refused?.message).toMatch(/user nobody/);
    expect(await pgCode(database.db.execute(sql`
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, pledge_id, actor)
      VALUES (${ids.a}, ${ids.mintA}, ${ids.treasuryA}, 1, 'pledge', ${missionA}, 999999, 'test')`))).toBe('23503');
  });

  it('refuses a whole statement when one of its rows names another channel', async () => {
    const before = await database.db.execute(sql`SELECT count(*)::int AS n FROM transfers`);
    expect(await pgCode(database.db.execute(sql`
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
      VALUES (${ids.a}, ${ids.mintA}, ${ids.treasuryA}, 1, 'grant', 'test'),
             (${ids.a}, ${ids.mintA}, ${ids.treasuryB}, 1, 'grant', 'test'),
             (${ids.a}, ${ids.mintA}, ${ids.treasuryA}, 1, 'grant', 'test')`))).toBe('23503');
    expect(await database.db.execute(sql`SELECT count(*)::int AS n FROM transfers`)).toMatchObject({ rows: before.rows });
  });

  it('keeps named rows: no delete and no new key for missions, accounts and users, no truncate of pledges', async () => {
    const refusals = [
      sql`DELETE FROM accounts WHERE id = ${ids.treasuryA}`,
      sql`UPDATE accounts SET channel_id = ${ids.b} WHERE id = ${ids.treasuryA}`,
      sql`UPDATE accounts SET id = 999998 WHERE id = ${ids.treasuryA}`,
      sql`DELETE FROM missions WHERE channel_id = ${ids.b}`,
      sql`UPDATE missions SET channel_id = ${ids.a} WHERE channel_id = ${ids.b}`,
      sql`DELETE FROM users WHERE user_id = 'u1'`,
      sql`UPDATE users SET user_id = 'u2' WHERE user_id = 'u1'`,
      // The one table no remaining foreign key keeps from a truncate.
      sql`TRUNCATE pledges`,
    ];
    for (const [i, statement] of refusals.entries()) expect(await pgCode(database.db.execute(statement)), `statement ${i}`).toBe('23503');
    // A change that keeps every key is still allowed.
    await database.db.execute(sql`UPDATE users SET display_name = 'U one' WHERE user_id = 'u1'`);
    await database.db.execute(sql`UPDATE missions SET reason = 'checked' WHERE channel_id = ${ids.b}`);
  });

  it('refuses moving a pledge to another mission, user or channel, and deleting it', async () => {
    // Rolled back, like the transfer below: a pledge without its journal row breaks the audit.
    const rollback = new Error('rollback');
    const outcome = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO users (user_id, login, display_name) VALUES ('u3', 'u3', 'U3')`);
        await tx.execute(sql`INSERT INTO pledges (channel_id, mission_id, user_id, amount)
          SELECT channel_id, id, 'u1', 10 FROM missions WHERE channel_id = ${ids.b}`);
        const changes = [sql`user_id = 'u3'`, sql`channel_id = ${ids.a}`, sql`mission_id = mission_id + 1`, sql`id = id + 1000`];
        for (const change of changes) {
          const refused = tx.transaction((savepoint) => savepoint.execute(sql`UPDATE pledges SET ${change} WHERE channel_id = ${ids.b}`));
          expect(await pgCode(refused)).toBe('23503');
        }
        expect(await pgCode(tx.transaction((savepoint) => savepoint.execute(sql`DELETE FROM pledges WHERE channel_id = ${ids.b}`)))).toBe('23503');
        throw rollback;
      })
      .catch((err: unknown) => err);
    expect(outcome).toBe(rollback);
  });

  it('accepts a transfer within one channel (the keys are not simply refusing everything)', async () => {
    // Rolled back: a journal row without its balance change would break invariant 1.
    const rollback = new Error('rollback');
    const outcome = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`
          INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
          VALUES (${ids.a}, ${ids.mintA}, ${ids.treasuryA}, 1, 'grant', 'test')`);
        throw rollback;
      })
      .catch((err: unknown) => err);
    expect(outcome).toBe(rollback);
  });

  it('fails a balance update that misses an account, moving nothing, instead of applying part of it', async () => {
    const balance = async () =>
      Number(((await database.db.execute(sql`SELECT balance FROM accounts WHERE id = ${ids.treasuryA}`)).rows[0] as { balance: number }).balance);
    const before = await balance();
    const deltas = new Map([[ids.treasuryA, 5], [999_999, -5]]);
    const failed = await pgErrorOf(database.db.transaction((tx) => applyDeltas(tx, deltas)));
    expect(failed).toEqual({ code: 'P0001', message: 'balance update missed an account' });
    expect(await balance()).toBe(before);
    // The same statement with every account present: the check is not refusing everything.
    const rollback = new Error('rollback');
    const moved = await database.db
      .transaction(async (tx) => {
        expect(await applyDeltas(tx, new Map([[ids.treasuryA, 5], [ids.mintA, -5]]))).toEqual(new Map([[ids.mintA, expect.any(Number)], [ids.treasuryA, before + 5]]));
        throw rollback;
      })
      .catch((err: unknown) => err);
    expect(moved).toBe(rollback);
  });

  it('leaves both ledgers intact', async () => {
    for (const id of [ids.a, ids.b]) expect((await auditChannel(database.db, id)).violations).toEqual([]);
  });
});
