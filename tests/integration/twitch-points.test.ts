import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../server/config.js';
import { createChannelService, type Channel } from '../../server/services/channels.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { resolveSettings } from '../../server/domain/settings.js';
import { createAccrualRunner, creditInterval } from '../../server/twitch/accrual-job.js';
import { recordChatActivity, type AccrualBatch } from '../../server/twitch/accrual-repository.js';
import { createHelix } from '../../server/twitch/helix.js';
import { createTwitchIntegration, type TwitchIntegration } from '../../server/twitch/integration.js';
import { createRedemptionHandler, type RedemptionEvent } from '../../server/twitch/redemptions.js';
import { ensureReward, helixStatusUpdate } from '../../server/twitch/rewards.js';
import { createTokenStore } from '../../server/twitch/token-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startHelixMock, type HelixMock } from '../support/helix-mock.js';

const KEY = 'p'.repeat(40);
const logger = pino({ level: 'silent' });
let db: TestDatabase;
let mock: HelixMock;
let twitch: TwitchIntegration;
let channel: Channel;
let now = new Date('2030-01-01T10:02:00Z');

const viewers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `u${i}`, login: `viewer${i}`, displayName: `Viewer${i}` }));

async function balance(userId: string): Promise<number | null> {
  const row = (await db.db.execute(sql`SELECT balance FROM accounts WHERE channel_id = ${channel.id} AND user_id = ${userId}`)).rows[0] as
    | { balance: number }
    | undefined;
  return row ? Number(row.balance) : null;
}

beforeAll(async () => {
  mock = await startHelixMock();
  process.env.TWURPLE_MOCK_API_PORT = String(mock.port);
  db = await createTestDatabase('twitch_points');
  const config = loadConfig({ DATABASE_URL: db.url, TWITCH_CLIENT_ID: 'cid', TWITCH_CLIENT_SECRET: 's'.repeat(20), TOKEN_ENCRYPTION_KEY: KEY });
  mock.users.set('500', { id: '500', login: 'bigstreamer', displayName: 'BigStreamer' });
  mock.users.set('900', { id: '900', login: 'missionbot', displayName: 'MissionBot' });
  const store = createTokenStore(db.db, KEY);
  const bot = mock.issue('900', ['chat:read', 'chat:edit', 'moderator:read:chatters']);
  await store.save({ userId: '900', role: 'bot', login: 'missionbot', token: { ...bot, scope: ['chat:read', 'chat:edit', 'moderator:read:chatters'], expiresIn: 14_400, obtainmentTimestamp: Date.now() } });
  const scopes = ['moderation:read', 'channel:read:redemptions', 'channel:manage:redemptions'];
  const owner = mock.issue('500', scopes);
  await store.save({ userId: '500', role: 'broadcaster', login: 'bigstreamer', token: { ...owner, scope: scopes, expiresIn: 14_400, obtainmentTimestamp: Date.now() } });
  twitch = createTwitchIntegration({ config, db: db.db, logger })!;
  await twitch.start();
  const helix = createHelix(twitch);
  const channels = createChannelService(db.db, {
    resolveBroadcaster: async (login) => {
      const user = await helix.userByLogin(login);
      return user ? { id: user.id, displayName: user.displayName } : null;
    },
  });
  channel = await channels.create({ login: 'bigstreamer' });
});

afterAll(async () => {
  await db?.drop();
  await mock?.close();
  delete process.env.TWURPLE_MOCK_API_PORT;
});

describe('channels', () => {
  it('resolves the broadcaster id through Helix when the channel is added', () => {
    expect(channel.broadcasterId).toBe('500');
    expect(channel.displayName).toBe('BigStreamer');
  });
});

describe('watch-time accrual', () => {
  const runner = () => createAccrualRunner({ db: db.db, logger, now: () => now, twitch: { integration: twitch, helix: createHelix(twitch) } });

  it('credits nobody while the stream is offline', async () => {
    mock.chatters.set('500', viewers(250));
    mock.chattersPageSize = 100;
    expect(await runner().run(channel.id)).toEqual({ status: 'offline' });
    expect(await balance('u0')).toBeNull();
  });

  it('credits every chatter over 3 pages once per interval, with the chat bonus', async () => {
    mock.live.add('500');
    await recordChatActivity(db.db, channel.id, { userId: 'u7', login: 'viewer7', displayName: 'Viewer7' }, new Date(now.getTime() - 60_000));
    const before = mock.requests.filter((r) => r.path === '/mock/chat/chatters').length;
    const first = await runner().run(channel.id);
    expect(first).toMatchObject({ status: 'credited', source: 'chatters', viewers: 250, credited: 250, points: 250 * 10 + 5 });
    expect(mock.requests.filter((r) => r.path === '/mock/chat/chatters').length - before).toBe(3);
    expect(await balance('u0')).toBe(1000 + 10);
    expect(await balance('u249')).toBe(1000 + 10);
    expect(await balance('u7')).toBe(1000 + 15);

    const again = await runner().run(channel.id);
    expect(again).toMatchObject({ status: 'credited', credited: 0, points: 0 });
    expect(await balance('u0')).toBe(1010);

    now = new Date(now.getTime() + 300_000);
    await runner().run(channel.id);
    expect(await balance('u0')).toBe(1020);
    expect(await balance('u7')).toBe(1025);
    expect((await auditChannel(db.db, channel.id)).ok).toBe(true);
  });

  it('falls back to chat activity when no token allows Get Chatters', async () => {
    mock.chattersStatus = 403;
    now = new Date(now.getTime() + 300_000);
    await recordChatActivity(db.db, channel.id, { userId: 'talker', login: 'talker', displayName: 'Talker' }, new Date(now.getTime() - 1000));
    const result = await runner().run(channel.id);
    expect(result).toMatchObject({ status: 'credited', source: 'chat-activity', credited: 1, points: 15 });
    expect(await balance('talker')).toBe(1015);
    expect(await balance('u0')).toBe(1020);
    mock.chattersStatus = null;
    expect((await auditChannel(db.db, channel.id)).ok).toBe(true);
  });

  it('syncs the moderator list while live', async () => {
    mock.moderators.set('500', [{ id: 'm1', login: 'modone', displayName: 'ModOne' }]);
    now = new Date(now.getTime() + 300_000);
    await runner().run(channel.id);
    const mods = (await db.db.execute(sql`SELECT user_id FROM channel_moderators WHERE channel_id = ${channel.id}`)).rows;
    expect(mods).toEqual([{ user_id: 'm1' }]);
  });

  it('credits a viewer who shows up later in the interval, and nobody twice', async () => {
    now = new Date(now.getTime() + 300_000);
    mock.chatters.set('500', viewers(250));
    expect(await runner().run(channel.id)).toMatchObject({ status: 'credited', credited: 250 });
    const u0 = await balance('u0');
    mock.chatters.set('500', [...viewers(250), { id: 'late', login: 'latecomer', displayName: 'Latecomer' }]);
    expect(await runner().run(channel.id)).toMatchObject({ status: 'credited', viewers: 251, credited: 1, points: 10 });
    expect(await balance('late')).toBe(1000 + 10);
    expect(await balance('u0')).toBe(u0);
    expect((await auditChannel(db.db, channel.id)).ok).toBe(true);
  });

  it('credits each viewer once when two runs of one interval overlap (new viewers included)', async () => {
    const newcomers = Array.from({ length: 20 }, (_, i) => ({ id: `n${i}`, login: `newcomer${i}`, displayName: `Newcomer${i}` }));
    mock.chatters.set('500', [...viewers(250), ...newcomers]);
    now = new Date(now.getTime() + 300_000);
    const u0 = (await balance('u0'))!;
    const runs = await Promise.all([runner().run(channel.id), runner().run(channel.id)]);
    const credited = runs.map((r) => (r.status === 'credited' ? r.credited : -1));
    expect(credited.sort((a, b) => a - b)).toEqual([0, 270]);
    expect(await balance('n7')).toBe(1000 + 10);
    expect(await balance('u0')).toBe(u0 + 10);
    expect((await auditChannel(db.db, channel.id)).ok).toBe(true);
  });

  it('follows a renamed chatter and leaves unchanged users untouched', async () => {
    const user = async (id: string) =>
      (await db.db.execute(sql`SELECT login, display_name, updated_at FROM users WHERE user_id = ${id}`)).rows[0] as
        { login: string; display_name: string; updated_at: Date };
    const unchanged = await user('u4');
    mock.chatters.set('500', viewers(250).map((v) => (v.id === 'u3' ? { ...v, login: 'renamed3', displayName: 'Renamed3' } : v)));
    now = new Date(now.getTime() + 300_000);
    expect(await runner().run(channel.id)).toMatchObject({ status: 'credited', credited: 250 });
    expect(await user('u3')).toMatchObject({ login: 'renamed3', display_name: 'Renamed3' });
    expect(await user('u4')).toEqual(unchanged);
  });

  it('pays neither the broadcaster, the bot nor known chat bots, present or chatting', async () => {
    const outsiders = [
      { id: '500', login: 'bigstreamer', displayName: 'BigStreamer' },
      { id: '900', login: 'missionbot', displayName: 'MissionBot' },
      { id: 'nb1', login: 'nightbot', displayName: 'Nightbot' },
    ];
    mock.chatters.set('500', [...viewers(3), ...outsiders]);
    now = new Date(now.getTime() + 300_000);
    await recordChatActivity(db.db, channel.id, { userId: 'se1', login: 'StreamElements', displayName: 'StreamElements' }, new Date(now.getTime() - 1000));
    expect(await runner().run(channel.id)).toMatchObject({ status: 'credited', credited: 3 });
    for (const id of ['500', '900', 'nb1', 'se1']) expect(await balance(id)).toBeNull();
    expect((await auditChannel(db.db, channel.id)).ok).toBe(true);
  });

  it('syncs the moderator list while offline too', async () => {
    mock.live.delete('500');
    mock.moderators.set('500', [{ id: 'm2', login: 'modtwo', displayName: 'ModTwo' }]);
    now = new Date(now.getTime() + 300_000);
    expect(await runner().run(channel.id)).toEqual({ status: 'offline' });
    const mods = (await db.db.execute(sql`SELECT user_id FROM channel_moderators WHERE channel_id = ${channel.id}`)).rows;
    expect(mods).toEqual([{ user_id: 'm2' }]);
    mock.live.add('500');
  });
});

describe('watch-time accrual in chunk transactions', () => {
  // A channel of its own: its wallets and chat activity do not meet the other tests'.
  let own: Channel;
  beforeAll(async () => {
    own = await createChannelService(db.db).create({ login: 'chunkstreamer' });
  });
  const people = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ userId: `${prefix}${i}`, login: `${prefix}login${i}`, displayName: `${prefix.toUpperCase()}${i}` }));
  const interval = (start: string, viewers: AccrualBatch['viewers']): AccrualBatch => {
    const { accrual, startingBalance } = resolveSettings(own.settings);
    return { channelId: own.id, intervalStart: new Date(start), chattedSince: new Date(start), amount: accrual.amount, chatBonus: accrual.chatBonus, startingBalance, viewers };
  };
  /** Accrual journal rows of one interval, per user. */
  async function credits(start: string): Promise<Map<string, number>> {
    const rows = (await db.db.execute(sql`
      SELECT split_part(idempotency_key, ${`${new Date(start).toISOString()}:`}, 2) AS user_id, amount FROM transfers
      WHERE channel_id = ${own.id} AND kind = 'accrual' AND idempotency_key LIKE ${`${new Date(start).toISOString()}:%`}`)).rows as
      { user_id: string; amount: number }[];
    const byUser = new Map<string, number>();
    for (const r of rows) byUser.set(r.user_id, (byUser.get(r.user_id) ?? 0) + Number(r.amount));
    expect(byUser.size).toBe(rows.length);
    return byUser;
  }
  async function ownBalance(userId: string): Promise<number | null> {
    const row = (await db.db.execute(sql`SELECT balance FROM accounts WHERE channel_id = ${own.id} AND user_id = ${userId}`)).rows[0] as
      | { balance: number }
      | undefined;
    return row ? Number(row.balance) : null;
  }
  const balances = async (ids: readonly string[]) => Promise.all(ids.map(async (id) => (await ownBalance(id)) ?? 0));

  it('credits more viewers than one chunk each exactly once: existing and new wallets, bonus and chat-only viewers', async () => {
    const start = '2031-01-01T00:00:00.000Z';
    // 250 viewers with wallets and 120 new ones, 7 chunks of 60; two chatted (one of them is
    // not in the viewer list: the chat-activity fallback) and earn the bonus.
    const returning = people('u', 250);
    const newcomers = people('c', 120);
    expect(await creditInterval(db.db, interval('2030-12-31T23:55:00.000Z', returning))).toMatchObject({ newWallets: 250, chunks: 1 });
    await recordChatActivity(db.db, own.id, returning[200]!, new Date('2031-01-01T00:01:00Z'));
    await recordChatActivity(db.db, own.id, { userId: 'chatonly', login: 'chatonly', displayName: 'ChatOnly' }, new Date('2031-01-01T00:02:00Z'));
    const before = await balances(returning.map((u) => u.userId));
    const chunksSeen: number[] = [];
    const result = await creditInterval(db.db, interval(start, [...newcomers, ...returning, returning[3]!]), {
      chunkSize: 60,
      afterChunk: (index) => void chunksSeen.push(index),
    });
    expect(result).toMatchObject({ credited: 371, points: 371 * 10 + 2 * 5, newWallets: 121, chunks: 7 });
    expect(chunksSeen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.longestChunkMs).toBeGreaterThan(0);

    const after = await balances(returning.map((u) => u.userId));
    expect(after.map((b, i) => b - before[i]!)).toEqual(returning.map((u) => (u.userId === 'u200' ? 15 : 10)));
    expect(await balances(newcomers.map((u) => u.userId))).toEqual(newcomers.map(() => 1000 + 10));
    expect(await ownBalance('chatonly')).toBe(1000 + 15);
    const journal = await credits(start);
    expect(journal.size).toBe(371);
    expect([...journal.values()].reduce((a, b) => a + b, 0)).toBe(result.points);

    // The same interval again changes nothing, whatever the chunking.
    expect(await creditInterval(db.db, interval(start, [...newcomers, ...returning]), { chunkSize: 45 })).toMatchObject({ credited: 0, points: 0, newWallets: 0 });
    expect(await balances(returning.map((u) => u.userId))).toEqual(after);
    expect((await auditChannel(db.db, own.id)).ok).toBe(true);
  });

  it('keeps the chunks committed before a failure and credits only the rest when the interval runs again', async () => {
    const start = '2031-01-01T00:05:00.000Z';
    const viewers = [...people('u', 250), ...people('f', 80)];
    const before = await balances(viewers.map((u) => u.userId));
    const failing = creditInterval(db.db, interval(start, viewers), {
      chunkSize: 50,
      afterChunk: (index) => {
        if (index === 2) throw new Error('worker killed after chunk 3');
      },
    });
    await expect(failing).rejects.toThrow('worker killed after chunk 3');
    expect((await credits(start)).size).toBe(150);
    expect((await auditChannel(db.db, own.id)).ok).toBe(true);

    const rest = await creditInterval(db.db, interval(start, viewers), { chunkSize: 50 });
    expect(rest).toMatchObject({ credited: 330 - 150, points: (330 - 150) * 10, chunks: 7 });
    const journal = await credits(start);
    expect(journal.size).toBe(330);
    expect(new Set(journal.keys())).toEqual(new Set(viewers.map((u) => u.userId)));
    const after = await balances(viewers.map((u) => u.userId));
    expect(after.map((b, i) => b - before[i]!)).toEqual(viewers.map((u) => (u.userId.startsWith('f') ? 1000 + 10 : 10)));
    expect((await auditChannel(db.db, own.id)).ok).toBe(true);
  });

  it('re-runs a chunk whose new viewer got a wallet from another writer meanwhile, and credits that wallet once', async () => {
    const start = '2031-01-01T00:10:00.000Z';
    const racer = { userId: 'racer', login: 'racer', displayName: 'Racer' };
    await db.db.execute(sql`INSERT INTO users (user_id, login, display_name) VALUES ('racer', 'racer', 'Racer')`);
    // Another writer (as a pledge would) creates the wallet and has not committed yet.
    const other = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO accounts (channel_id, kind, user_id) VALUES ($1, 'wallet', 'racer')`, [own.id]);
      const crediting = creditInterval(db.db, interval(start, [...people('u', 20), racer]), { chunkSize: 50 });
      // The chunk did not see the wallet and now waits on the other writer's insert.
      for (;;) {
        const waiting = await db.db.execute(sql`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if ((waiting.rows[0] as { n: number }).n > 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await other.query('COMMIT');
      expect(await crediting).toMatchObject({ credited: 21, newWallets: 0, chunks: 1 });
    } finally {
      other.release();
    }
    expect(await ownBalance('racer')).toBe(10);
    expect((await credits(start)).get('racer')).toBe(10);
    expect((await auditChannel(db.db, own.id)).ok).toBe(true);
  });

  it('credits through the job in chunks of the configured size', async () => {
    mock.chattersStatus = null;
    mock.chatters.set('500', [...viewers(250), ...Array.from({ length: 30 }, (_, i) => ({ id: `j${i}`, login: `jobnew${i}`, displayName: `JobNew${i}` }))]);
    now = new Date(now.getTime() + 300_000);
    const u0 = (await balance('u0'))!;
    const chunked = createAccrualRunner({ db: db.db, logger, now: () => now, twitch: { integration: twitch, helix: createHelix(twitch) }, chunkSize: 40 });
    expect(await chunked.run(channel.id)).toMatchObject({ status: 'credited', viewers: 280, credited: 280, points: 2800 });
    expect(await chunked.run(channel.id)).toMatchObject({ status: 'credited', credited: 0 });
    expect(await balance('u0')).toBe(u0 + 10);
    expect(await balance('j29')).toBe(1000 + 10);
    expect((await auditChannel(db.db, channel.id)).ok).toBe(true);
  });
});

describe('channel-point redemptions', () => {
  let rewardId: string;
  const event = (id: string): RedemptionEvent => ({
    id, broadcasterId: '500', rewardId, userId: 'u1', userLogin: 'viewer1', userDisplayName: 'Viewer1', status: 'unfulfilled',
  });
  const statusCalls = (id: string) =>
    mock.requests.filter((r) => r.path === '/mock/channel_points/custom_rewards/redemptions' && r.query.getAll('id').includes(id))
      .map((r) => (r.body as { status: string }).status);

  beforeAll(async () => {
    rewardId = await ensureReward(db.db, twitch, channel.id, '500');
  });

  it('creates the "Mission points" reward once', async () => {
    expect(await ensureReward(db.db, twitch, channel.id, '500')).toBe(rewardId);
    expect(mock.rewards.get('500')?.map((r) => r.title)).toEqual(['Mission points']);
  });

  it('credits a redemption once when the event is delivered twice, and fulfils it', async () => {
    const handler = createRedemptionHandler({ db: db.db, logger, updateStatus: helixStatusUpdate(twitch) });
    const start = (await balance('u1'))!;
    const outcomes = await Promise.all([handler.handle(event('r-1')), handler.handle(event('r-1'))]);
    expect(outcomes.sort()).toEqual(['credited', 'duplicate']);
    expect(await balance('u1')).toBe(start + 100);
    expect(statusCalls('r-1')).toContain('FULFILLED');
    expect(statusCalls('r-1')).not.toContain('CANCELED');
    expect((await auditChannel(db.db, channel.id)).ok).toBe(true);
  });

  it('cancels a redemption that cannot be credited, and never credits it later', async () => {
    const handler = createRedemptionHandler({ db: db.db, logger, updateStatus: helixStatusUpdate(twitch) });
    // A reward worth 0 points cannot be credited (transfers must be positive).
    await db.db.execute(sql`UPDATE twitch_rewards SET points = 0 WHERE channel_id = ${channel.id}`);
    const start = (await balance('u1'))!;
    expect(await handler.handle(event('r-2'))).toBe('canceled');
    expect(statusCalls('r-2')).toEqual(['CANCELED']);
    await db.db.execute(sql`UPDATE twitch_rewards SET points = 100 WHERE channel_id = ${channel.id}`);
    expect(await handler.handle(event('r-2'))).toBe('duplicate');
    expect(await balance('u1')).toBe(start);
  });
});
