import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { DomainEvent, MissionChangedEvent, PledgeAddedEvent } from '../../server/events/types.js';
import type { BusLogger, ReadyEventBus } from '../../server/events/memory-bus.js';
import { createMemoryEventBus } from '../../server/events/memory-bus.js';
import { createRedisEventBus } from '../../server/events/redis-bus.js';
import { createPgEventBus } from '../../server/events/pg-bus.js';
import { createEventBus } from '../../server/events/create-bus.js';
import { REDIS_URL, createTestDatabase, uniqueName, withAdmin, type TestDatabase } from '../support/services.js';

const quietLogger = (): BusLogger => ({
  debug: vi.fn(),
  info: vi.fn(),
  warn: vi.fn(),
  error: vi.fn(),
});

function pledge(n: number, channel = 'somechannel'): PledgeAddedEvent {
  return {
    type: 'pledge',
    channel,
    at: new Date(1_700_000_000_000 + n).toISOString(),
    missionNumber: 1,
    count: 1,
    amount: n,
    newBackers: 0,
    pot: n,
    backers: 1,
    newestBacker: { userId: 'u1', login: 'alice', displayName: 'Alice' },
  };
}

function bigMission(textLength: number): MissionChangedEvent {
  return {
    type: 'mission',
    change: 'updated',
    channel: 'somechannel',
    at: new Date(0).toISOString(),
    mission: {
      number: 7,
      text: 'x'.repeat(textLength),
      status: 'open',
      pot: 0,
      backers: 0,
      proposer: { userId: 'u1', login: 'alice', displayName: 'Alice' },
      createdAt: new Date(0).toISOString(),
      openedAt: null,
      deadline: null,
      resolvedAt: null,
      settled: false,
      reason: null,
      newestBacker: null,
      graceEndsAt: null,
      pendingExpiresAt: null,
    },
  };
}

/** Collects events and lets a test wait until a predicate over them holds. */
function collector(bus: ReadyEventBus) {
  const events: DomainEvent[] = [];
  const waiters = new Set<() => void>();
  const unsubscribe = bus.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) w();
  });
  return {
    events,
    unsubscribe,
    until(predicate: (events: DomainEvent[]) => boolean, timeoutMs = 5_000): Promise<void> {
      if (predicate(events)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; got ${events.length} events`));
        }, timeoutMs);
        const check = (): void => {
          if (!predicate(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
  };
}

interface Transport {
  /** Two buses standing in for two server processes. */
  pair(): Promise<[ReadyEventBus, ReadyEventBus]>;
  /** Kills the first bus's subscription connection server-side; resolves when it is back. */
  killSubscription?(bus: ReadyEventBus, resubscribed: Promise<void>): Promise<void>;
  teardown(): Promise<void>;
}

const opened: ReadyEventBus[] = [];
let resubscribedSignal: () => void = () => undefined;
const nextResubscribe = (): Promise<void> => new Promise((resolve) => (resubscribedSignal = resolve));

function redisTransport(): Transport {
  const channel = uniqueName('events');
  const name = uniqueName('bus');
  return {
    async pair() {
      const a = createRedisEventBus({
        url: REDIS_URL, channel, connectionName: name, logger: quietLogger(),
        onResubscribed: () => resubscribedSignal(),
      });
      const b = createRedisEventBus({ url: REDIS_URL, channel, logger: quietLogger() });
      opened.push(a, b);
      await Promise.all([a.ready(), b.ready()]);
      return [a, b];
    },
    async killSubscription() {
      const admin = new Redis(REDIS_URL);
      try {
        // Scoped by connection name: other suites on this Redis keep their subscriptions.
        const list = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
        const ids = list
          .split('\n')
          .filter((line) => line.includes(` name=${name}:events:sub `))
          .map((line) => /id=(\d+)/.exec(line)?.[1])
          .filter((id): id is string => id !== undefined);
        expect(ids).toHaveLength(1);
        await admin.call('CLIENT', 'KILL', 'ID', ids[0]!);
      } finally {
        admin.disconnect();
      }
    },
    teardown: async () => undefined,
  };
}

/**
 * A pool that outlives a dropped database quietly: `pool.end()` resolves before its clients'
 * sockets close, so the drop's forced disconnect can still reach one, and a pool without an
 * 'error' listener rethrows that as an uncaught exception (the app's pool listens: db/client.ts).
 */
function testPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => undefined);
  return pool;
}

function pgTransport(): Transport {
  let database: TestDatabase;
  let pool: pg.Pool;
  return {
    async pair() {
      database = await createTestDatabase('event_bus');
      pool = testPool(database.connectionString, 3);
      const common = { pool, connectionString: database.connectionString, minReconnectDelayMs: 20 };
      const a = createPgEventBus({
        ...common, applicationName: 'bus_a', logger: quietLogger(), onResubscribed: () => resubscribedSignal(),
      });
      const b = createPgEventBus({ ...common, logger: quietLogger() });
      opened.push(a, b);
      await Promise.all([a.ready(), b.ready()]);
      return [a, b];
    },
    async killSubscription() {
      // The database is unique to this file, so nothing else is hit.
      const { rows } = await withAdmin((c) =>
        c.query<{ ok: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
           WHERE datname = $1 AND application_name = 'bus_a' AND query LIKE 'LISTEN%'`,
          [database.name],
        ),
      );
      expect(rows).toEqual([{ ok: true }]);
    },
    async teardown() {
      await pool?.end();
      await database?.drop();
    },
  };
}

function memoryTransport(): Transport {
  return {
    async pair() {
      // One process: both "instances" are the same bus.
      const bus = createMemoryEventBus({ logger: quietLogger() });
      opened.push(bus);
      return [bus, bus];
    },
    teardown: async () => undefined,
  };
}

describe.each([
  ['redis', redisTransport],
  ['postgres', pgTransport],
  ['memory', memoryTransport],
] as const)('%s event bus', (_kind, makeTransport) => {
  const transport = makeTransport();
  let a: ReadyEventBus;
  let b: ReadyEventBus;

  beforeAll(async () => {
    [a, b] = await transport.pair();
  });
  afterAll(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()));
    await transport.teardown();
  });

  it('delivers events across instances in publish order', async () => {
    const onA = collector(a);
    const onB = collector(b);
    const sent = Array.from({ length: 30 }, (_, i) => pledge(i, 'order'));
    // Not awaited one by one: the bus itself must keep the order.
    await Promise.all(sent.map((e) => a.publish(e)));
    await onB.until((es) => es.filter((e) => e.channel === 'order').length === sent.length);
    await onA.until((es) => es.filter((e) => e.channel === 'order').length === sent.length);
    expect(onB.events.filter((e) => e.channel === 'order')).toEqual(sent);
    expect(onA.events.filter((e) => e.channel === 'order')).toEqual(sent);
    onA.unsubscribe();
    onB.unsubscribe();
  });

  it('stops delivering to an unsubscribed handler and survives a throwing one', async () => {
    const removed = vi.fn();
    const unsubscribe = b.subscribe(removed);
    const thrower = b.subscribe(() => {
      throw new Error('handler bug');
    });
    const onB = collector(b);
    unsubscribe();
    await a.publish(pledge(1, 'unsub'));
    await a.publish(pledge(2, 'unsub'));
    await onB.until((es) => es.filter((e) => e.channel === 'unsub').length === 2);
    expect(onB.events.map((e) => (e as PledgeAddedEvent).amount)).toEqual([1, 2]);
    expect(removed).not.toHaveBeenCalled();
    thrower();
    onB.unsubscribe();
  });

  it('carries an event larger than a NOTIFY payload, in order with small ones', async () => {
    const onB = collector(b);
    const big = bigMission(20_000);
    const before = pledge(1, 'big');
    const after = pledge(2, 'big');
    await Promise.all([a.publish(before), a.publish({ ...big, channel: 'big' }), a.publish(after)]);
    await onB.until((es) => es.filter((e) => e.channel === 'big').length === 3);
    expect(onB.events.filter((e) => e.channel === 'big')).toEqual([before, { ...big, channel: 'big' }, after]);
    onB.unsubscribe();
  });

  it('resubscribes after the subscription connection is killed', async (ctx) => {
    if (transport.killSubscription === undefined) return ctx.skip();
    const onA = collector(a);
    const resubscribed = nextResubscribe();
    await transport.killSubscription(a, resubscribed);
    await resubscribed;
    const sent = [pledge(1, 'after-kill'), pledge(2, 'after-kill')];
    for (const e of sent) await b.publish(e);
    await onA.until((es) => es.filter((e) => e.channel === 'after-kill').length === 2);
    expect(onA.events.filter((e) => e.channel === 'after-kill')).toEqual(sent);
    onA.unsubscribe();
  });
});

describe('createEventBus', () => {
  it('picks Redis when a URL is given and Postgres otherwise', async () => {
    const database = await createTestDatabase('pick_bus');
    const pool = testPool(database.connectionString, 2);
    try {
      const common = { pool, connectionString: database.connectionString, logger: quietLogger() };
      const redis = createEventBus({ ...common, redisUrl: REDIS_URL });
      const postgres = createEventBus({ ...common, redisUrl: undefined });
      expect([redis.kind, postgres.kind]).toEqual(['redis', 'postgres']);
      await Promise.all([redis.ready(), postgres.ready()]);
      await Promise.all([redis.close(), postgres.close()]);
    } finally {
      await pool.end();
      await database.drop();
    }
  });

  it('rejects a Redis publish within the timeout when Redis is unreachable', async () => {
    const bus = createRedisEventBus({ url: 'redis://127.0.0.1:1', logger: quietLogger(), publishTimeoutMs: 300 });
    const started = Date.now();
    await expect(bus.publish(pledge(1))).rejects.toThrow(/not connected/);
    expect(Date.now() - started).toBeLessThan(2_000);
    await bus.close();
  });
});
