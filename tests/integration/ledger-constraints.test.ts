/**
 * The database itself refuses journal and pledge rows that cross channels (migration 0005's
 * channel-scoped keys) or name rows that do not exist, whatever the application does.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('leaves both ledgers intact', async () => {
    for (const id of [ids.a, ids.b]) expect((await auditChannel(database.db, id)).violations).toEqual([]);
  });
});
