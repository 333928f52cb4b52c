/**
 * The pledge micro-batcher on real Postgres: exact wallet debits under concurrency, idempotent
 * replays within and across batches, per-caller results in mixed batches, overload refusal,
 * and close() committing what was accepted. The ledger audit holds after each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatUser } from '../../server/domain/actor.js';
import type { Actor } from '../../server/domain/actor.js';
import { isDomainError } from '../../server/domain/errors.js';
import { createMemoryEventBus } from '../../server/events/memory-bus.js';
import type { DomainEvent, PledgeAddedEvent } from '../../server/events/types.js';
import type { Channel } from '../../server/services/channels.js';
import type { Services } from '../../server/services/index.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createBatchMemory } from '../../server/services/pledge-batch-memory.js';
import { createPledgeBatcher, type PledgeRequest, type RefusalReason } from '../../server/services/pledge-batcher.js';
import { tableRow } from '../../db/pipeline.js';
import { missions } from '../../db/schema.js';
import type { TestDatabase } from '../support/database.js';
import { createServiceWorld, silentLogger, type ServiceWorld } from '../support/world.js';

const bus = createMemoryEventBus();
let database: TestDatabase;
let services: Services;
let channel: Channel;
const events: DomainEvent[] = [];

const user = (name: string): ChatUser => ({ userId: `id-${name}`, login: name, displayName: name.toUpperCase() });
const actorOf = (u: ChatUser): Actor => ({ kind: 'chat', channel: channel.login, user: u, role: 'viewer' });
const deps = () => ({ db: database.db, bus, logger: silentLogger, now: () => new Date() });

async function openMission(proposer: string): Promise<number> {
  const p = user(proposer);
  const { mission } = await services.missions.propose(channel, { text: `Mission by ${proposer}`, amount: 10, proposer: p }, actorOf(p));
  return mission.number;
}

async function balance(name: string): Promise<number> {
  return (await services.viewers.byUserId(channel, user(name).userId))?.balance ?? 0;
}

async function expectAuditOk(): Promise<void> {
  const report = await auditChannel(database.db, channel.id);
  expect(report.violations).toEqual([]);
  expect(report.ok).toBe(true);
}

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' && isDomainError(r.reason) ? r.reason.code : r.status);

let world: ServiceWorld;

beforeAll(async () => {
  world = await createServiceWorld('pledge_batcher', 'batchy', { bus });
  ({ database, services, channel } = world);
  bus.subscribe((e) => events.push(e));
});

afterAll(async () => world?.close());

describe('exactness', () => {
  it('one wallet covering 37 of 200 concurrent pledges gets exactly 37, across batches of 64', async () => {
    const n = await openMission('host37');
    const batcher = createPledgeBatcher(deps(), { maxBatch: 64, writers: 2 });
    const spender = user('spender');
    // Starting balance 1000; take it down to 370 first so 37 pledges of 10 fit exactly.
    await batcher.submit({ channel, number: n, amount: 630, user: spender, actor: actorOf(spender), idempotencyKey: null });
    const results = await settle(
      Array.from({ length: 200 }, () => batcher.submit({ channel, number: n, amount: 10, user: spender, actor: actorOf(spender), idempotencyKey: null })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(37);
    expect(results.filter((r) => codeOf(r) === 'INSUFFICIENT_FUNDS')).toHaveLength(163);
    expect(await balance('spender')).toBe(0);
    const mission = await services.missions.get(channel, n);
    expect(mission.pot).toBe(10 + 630 + 370);
    expect(mission.backers).toBe(2);
    await batcher.close();
    await expectAuditOk();
  });

  it('publishes one coalesced pledge event per mission per batch, with totals after it', async () => {
    const n = await openMission('eventhost');
    events.length = 0;
    const batcher = createPledgeBatcher(deps(), { maxBatch: 500, maxDelayMs: 20 });
    const fans = Array.from({ length: 50 }, (_, i) => user(`evfan${i}`));
    await Promise.all(fans.map((f) => batcher.submit({ channel, number: n, amount: 20, user: f, actor: actorOf(f), idempotencyKey: null })));
    await batcher.close();
    const pledgeEvents = events.filter((e): e is PledgeAddedEvent => e.type === 'pledge' && e.missionNumber === n);
    expect(pledgeEvents.length).toBeLessThan(5);
    expect(pledgeEvents.reduce((sum, e) => sum + e.count, 0)).toBe(50);
    expect(pledgeEvents.reduce((sum, e) => sum + e.newBackers, 0)).toBe(50);
    expect(pledgeEvents.at(-1)).toMatchObject({ pot: 10 + 50 * 20, backers: 51 });
  });
});

describe('idempotency', () => {
  it('the same key within one batch and again in a later batch moves points once', async () => {
    const n = await openMission('idemhost');
    const batcher = createPledgeBatcher(deps(), { maxDelayMs: 20 });
    const fan = user('idemfan');
    const req: PledgeRequest = { channel, number: n, amount: 40, user: fan, actor: actorOf(fan), idempotencyKey: 'chat:m-1' };
    const same = await Promise.all(Array.from({ length: 4 }, () => batcher.submit(req)));
    expect(same.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(same.map((r) => r.pledge.id)).size).toBe(1);
    const later = await batcher.submit(req);
    expect(later).toMatchObject({ replayed: true, pledge: { id: same[0]!.pledge.id, amount: 40 } });
    // Another batcher (another process) sees the committed key too.
    const other = createPledgeBatcher(deps());
    expect((await other.submit(req)).replayed).toBe(true);
    await expect(other.submit({ ...req, amount: 50 })).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    expect(await balance('idemfan')).toBe(1000 - 40);
    await Promise.all([batcher.close(), other.close()]);
    await expectAuditOk();
  });

  it('many replays in one batch each get their own pledge and the mission as it is now', async () => {
    const n = await openMission('replayhost');
    const batcher = createPledgeBatcher(deps(), { maxDelayMs: 20 });
    const fans = Array.from({ length: 6 }, (_, i) => user(`replayfan${i}`));
    const reqs = fans.map((f, i): PledgeRequest => ({ channel, number: n, amount: 10 + i, user: f, actor: actorOf(f), idempotencyKey: `chat:r-${i}` }));
    const first = await Promise.all(reqs.map((r) => batcher.submit(r)));
    // The first attempt of the replay batch fails on the unique key and its retry answers replays.
    const again = await Promise.all(reqs.map((r) => batcher.submit(r)));
    expect(again.map((r) => r.replayed)).toEqual(reqs.map(() => true));
    expect(again.map((r) => [r.pledge.id, r.pledge.amount])).toEqual(first.map((r) => [r.pledge.id, r.pledge.amount]));
    expect(new Set(again.map((r) => r.mission.pot))).toEqual(new Set([10 + 6 * 10 + 15]));
    await batcher.close();
    await expectAuditOk();
  });
});

describe('mixed batches', () => {
  it('gives every caller its own result; the invalid ones change nothing', async () => {
    const n = await openMission('mixhost');
    const batcher = createPledgeBatcher(deps(), { maxDelayMs: 50 });
    const ok1 = user('mixok1');
    const ok2 = user('mixok2');
    const poor = user('mixpoor');
    const ghost = user('mixghost');
    const submit = (u: ChatUser, number: number, amount: PledgeRequest['amount']) =>
      batcher.submit({ channel, number, amount, user: u, actor: actorOf(u), idempotencyKey: null });
    const results = await settle([
      submit(ok1, n, 100),
      submit(poor, n, 5_000),
      submit(ghost, 999, 10),
      submit(ok2, n, { kind: 'half' }),
      submit(ghost, n, 3),
    ]);
    expect(results.map(codeOf)).toEqual(['fulfilled', 'INSUFFICIENT_FUNDS', 'MISSION_NOT_FOUND', 'fulfilled', 'STAKE_TOO_LOW']);
    const half = results[3]!;
    expect(half.status === 'fulfilled' && half.value.pledge.amount).toBe(500);
    // Rejected newcomers get no wallet, no user row, no starting balance.
    expect(await services.viewers.byUserId(channel, poor.userId)).toBeNull();
    expect(await services.viewers.byUserId(channel, ghost.userId)).toBeNull();
    expect((await services.missions.get(channel, n)).pot).toBe(10 + 100 + 500);
    await batcher.close();
    await expectAuditOk();
  });
});

describe('one bad item in a batch', () => {
  const batchLog = () => {
    const log: { size: number; ok: boolean }[] = [];
    return { log, onBatch: (b: { size: number; ok: boolean }) => log.push({ size: b.size, ok: b.ok }) };
  };

  it('fails alone: the database refuses its display name (NUL), its 19 neighbours commit once', async () => {
    const n = await openMission('nulhost');
    const { log, onBatch } = batchLog();
    const batcher = createPledgeBatcher(deps(), { maxDelayMs: 50, onBatch });
    const fans = Array.from({ length: 20 }, (_, i) => (i === 13 ? { ...user('nulfan13'), displayName: 'NUL\u0000FAN' } : user(`nulfan${i}`)));
    const reqs = fans.map((f, i): PledgeRequest => ({ channel, number: n, amount: 10 + i, user: f, actor: actorOf(f), idempotencyKey: `chat:nul-${i}` }));
    const results = await settle(reqs.map((r) => batcher.submit(r)));
    // One batch of 20, refused, then committed in parts.
    expect(log[0]).toEqual({ size: 20, ok: false });
    expect(results.map((r) => r.status)).toEqual(reqs.map((_, i) => (i === 13 ? 'rejected' : 'fulfilled')));
    // The bad item gets the database's reason, not "transaction aborted" from a statement behind it.
    expect(results[13]).toMatchObject({ status: 'rejected', reason: { code: '22021' } });
    const good = reqs.filter((_, i) => i !== 13);
    const pot = 10 + good.reduce((sum, r) => sum + (r.amount as number), 0);
    expect((await services.missions.get(channel, n)).pot).toBe(pot);
    expect(await services.viewers.byUserId(channel, fans[13]!.userId)).toBeNull();
    // Every retry kept the keys: the same 19 again are replays, and nothing moves.
    const again = await Promise.all(good.map((r) => batcher.submit(r)));
    expect(again.every((r) => r.replayed)).toBe(true);
    expect((await services.missions.get(channel, n)).pot).toBe(pot);
    expect(await balance('nulfan0')).toBe(1000 - 10);
    await batcher.close();
    await expectAuditOk();
  });

  it('a key repeated on both sides of a split moves points once', async () => {
    const n = await openMission('splithost');
    const batcher = createPledgeBatcher(deps(), { maxDelayMs: 50 });
    const fans = Array.from({ length: 8 }, (_, i) => (i === 7 ? { ...user('splitfan7'), login: 'split\u0000fan' } : user(`splitfan${i}`)));
    const reqs = fans.map((f, i): PledgeRequest => ({ channel, number: n, amount: 25, user: f, actor: actorOf(f), idempotencyKey: `chat:split-${i}` }));
    // The first pledge again at the end of the second half: one effect, a replay for the repeat.
    reqs.splice(6, 0, { ...reqs[0]! });
    const results = await settle(reqs.map((r) => batcher.submit(r)));
    expect(results.map(codeOf)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const first = results[0]!;
    const repeat = results[6]!;
    expect(first.status === 'fulfilled' && repeat.status === 'fulfilled' && repeat.value.pledge.id === first.value.pledge.id).toBe(true);
    expect(repeat.status === 'fulfilled' && repeat.value.replayed).toBe(true);
    expect((await services.missions.get(channel, n)).pot).toBe(10 + 7 * 25);
    expect(await balance('splitfan0')).toBe(1000 - 25);
    await batcher.close();
    await expectAuditOk();
  });

  it('a batch that fails over every item takes at most maxSplitRetries more transactions', async () => {
    const n = await openMission('boundhost');
    const { log, onBatch } = batchLog();
    const batcher = createPledgeBatcher(deps(), { maxDelayMs: 50, maxSplitRetries: 6, onBatch });
    const fans = Array.from({ length: 16 }, (_, i) => ({ ...user(`boundfan${i}`), displayName: `BAD\u0000${i}` }));
    const results = await settle(fans.map((f) => batcher.submit({ channel, number: n, amount: 10, user: f, actor: actorOf(f), idempotencyKey: null })));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(log).toHaveLength(7);
    expect(log.every((b) => !b.ok)).toBe(true);
    expect((await services.missions.get(channel, n)).pot).toBe(10);
    await batcher.close();
    await expectAuditOk();
  });
});

describe('back-pressure and shutdown', () => {
  it('refuses pledges beyond the bounded queue with OVERLOADED', async () => {
    const n = await openMission('loadhost');
    let refused = 0;
    const batcher = createPledgeBatcher(deps(), { maxQueued: 10, maxDelayMs: 50, onRefused: () => refused++ });
    const fans = Array.from({ length: 15 }, (_, i) => user(`loadfan${i}`));
    const results = await settle(fans.map((f) => batcher.submit({ channel, number: n, amount: 10, user: f, actor: actorOf(f), idempotencyKey: null })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(results.filter((r) => codeOf(r) === 'OVERLOADED')).toHaveLength(5);
    expect(refused).toBe(5);
    await batcher.close();
    await expectAuditOk();
  });

  it('a cold batcher takes a burst it can commit in time, and refuses only the backlog beyond that', async () => {
    const n = await openMission('bursthost');
    const refused: RefusalReason[] = [];
    // Fresh: no batch measured yet. Two writers of 500 at a cold process's pace commit 5,000 within
    // the default second; a 5,010-pledge burst submitted at once leaves 10 that could not.
    const batcher = createPledgeBatcher(deps(), { onRefused: (reason) => refused.push(reason) });
    const fans = Array.from({ length: 5_010 }, (_, i) => user(`burst${i}`));
    const results = await settle(fans.map((f) => batcher.submit({ channel, number: n, amount: 10, user: f, actor: actorOf(f), idempotencyKey: null })));
    expect(results.slice(0, 5_000).filter((r) => r.status === 'fulfilled')).toHaveLength(5_000);
    expect(results.slice(5_000).map(codeOf)).toEqual(Array.from({ length: 10 }, () => 'OVERLOADED'));
    expect(refused).toEqual(Array.from({ length: 10 }, () => 'backlog'));
    expect((await services.missions.get(channel, n)).pot).toBe(10 + 5_000 * 10);
    await batcher.close();
    await expectAuditOk();
  });

  it('close() commits every accepted pledge and refuses new ones', async () => {
    const n = await openMission('closehost');
    let refused = 0;
    const batcher = createPledgeBatcher(deps(), { maxDelayMs: 10_000, maxBatch: 500, onRefused: () => refused++ });
    const fans = Array.from({ length: 30 }, (_, i) => user(`closefan${i}`));
    const pending = fans.map((f) => batcher.submit({ channel, number: n, amount: 15, user: f, actor: actorOf(f), idempotencyKey: null }));
    expect(batcher.pending()).toBe(30);
    await batcher.close();
    expect(batcher.pending()).toBe(0);
    expect((await Promise.all(pending)).every((r) => r.pledge.id > 0)).toBe(true);
    expect((await services.missions.get(channel, n)).pot).toBe(10 + 30 * 15);
    const late = fans[0]!;
    await expect(batcher.submit({ channel, number: n, amount: 15, user: late, actor: actorOf(late), idempotencyKey: null })).rejects.toMatchObject({
      code: 'OVERLOADED',
    });
    expect(refused).toBe(1);
    await expectAuditOk();
  });

  it('two writers on one mission with new and returning viewers: no batch fails, totals exact', async () => {
    const n = await openMission('racehost');
    const failed: number[] = [];
    const batcher = createPledgeBatcher(deps(), { maxBatch: 25, maxDelayMs: 1, writers: 2, onBatch: (b) => (b.ok ? undefined : failed.push(b.size)) });
    // 40 viewers, 6 pledges each: batches of both writers share the mint (new wallets), the escrow
    // and returning wallets. (The FK-lock deadlock seen in the bench needs heavier contention than a
    // test should create; this guards exactness and no failed batch with two writers.)
    const fans = Array.from({ length: 40 }, (_, i) => user(`racefan${i}`));
    const results = await settle(
      Array.from({ length: 6 }, () => fans.map((f) => batcher.submit({ channel, number: n, amount: 10, user: f, actor: actorOf(f), idempotencyKey: null }))).flat(),
    );
    await batcher.close();
    expect(failed).toEqual([]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect((await services.missions.get(channel, n)).pot).toBe(10 + 240 * 10);
    expect(await balance('racefan7')).toBe(1000 - 60);
    // Each viewer is a new backer exactly once, though their six pledges ran in batches of both
    // writers: a batch sees the backers a concurrent one committed while it waited for the wallet.
    const firsts = results.filter((r) => r.status === 'fulfilled' && r.value.firstPledge).length;
    expect(firsts).toBe(40);
    expect((await services.missions.get(channel, n)).backers).toBe(41);
    await expectAuditOk();
  });
});

describe('users', () => {
  it('skips the upsert of a user it already committed, but follows a rename', async () => {
    const n = await openMission('renamehost');
    const batcher = createPledgeBatcher(deps());
    const before: ChatUser = { userId: 'id-renamer', login: 'oldname', displayName: 'OldName' };
    const after: ChatUser = { userId: 'id-renamer', login: 'newname', displayName: 'NewName' };
    const submit = (u: ChatUser) => batcher.submit({ channel, number: n, amount: 10, user: u, actor: actorOf(u), idempotencyKey: null });
    await submit(before);
    await database.pool.query(`UPDATE users SET updated_at = 'epoch' WHERE user_id = 'id-renamer'`);
    await submit(before);
    const unchanged = await database.pool.query(`SELECT login, updated_at FROM users WHERE user_id = 'id-renamer'`);
    expect(unchanged.rows[0]).toMatchObject({ login: 'oldname', updated_at: new Date(0) });
    await submit(after);
    const renamed = await database.pool.query(`SELECT login, display_name FROM users WHERE user_id = 'id-renamer'`);
    expect(renamed.rows[0]).toEqual({ login: 'newname', display_name: 'NewName' });
    await batcher.close();
    await expectAuditOk();
  });
});

describe('batch memory', () => {
  it('recounts a stale backer count beside the batches and never lowers it', async () => {
    const n = await openMission('memohost');
    const row = (await database.pool.query('SELECT * FROM missions WHERE channel_id = $1 AND number = $2', [channel.id, n])).rows[0];
    const mission = tableRow(missions, row);
    let clock = 0;
    const memory = createBatchMemory(database.db, () => clock);
    await memory.refreshMemo(mission);
    expect(memory.memo(mission.id)?.backers).toBe(1); // the proposer's opening pledge

    // Another process commits two new backers; this process counted one batch of its own meanwhile.
    const other = createPledgeBatcher(deps());
    for (const name of ['memofan1', 'memofan2']) {
      const u = user(name);
      await other.submit({ channel, number: n, amount: 10, user: u, actor: actorOf(u), idempotencyKey: null });
    }
    await other.close();
    memory.memo(mission.id)!.backers += 5;

    clock += 29_000; // fresh: nothing read
    await memory.refreshMemo(mission);
    expect(memory.memo(mission.id)?.backers).toBe(6);

    clock += 2_000; // stale: recounted in the background, the larger figure kept
    await memory.refreshMemo(mission);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(memory.memo(mission.id)?.backers).toBe(6);
    memory.memo(mission.id)!.backers = 1;
    clock += 31_000;
    await memory.refreshMemo(mission);
    await expect.poll(() => memory.memo(mission.id)?.backers).toBe(3);
  });
});
