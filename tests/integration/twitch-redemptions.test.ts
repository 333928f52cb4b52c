/**
 * Channel-point redemptions against the Helix mock taught Twitch's behaviour (an EventSub
 * WebSocket that delivers once and never again, Get Custom Reward Redemption, status updates
 * that only touch UNFULFILLED redemptions), through the real @twurple clients and the real
 * worker and server roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import { startRoles, type RunningRoles } from '../../server/processes.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { ROLE_SCOPES } from '../../server/twitch/scopes.js';
import { listSetupSteps } from '../../server/twitch/setup-status.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startHelixMock, type HelixMock, type MockUser } from '../support/helix-mock.js';

const KEY = 'r'.repeat(40);
const STREAMER: MockUser = { id: '501', login: 'redeemchan', displayName: 'RedeemChan' };
const PLAIN: MockUser = { id: '502', login: 'plainchan', displayName: 'PlainChan' };
let sim: ChatSimulator;
let mock: HelixMock;
let database: TestDatabase;
let server: RunningRoles;
let worker: RunningRoles | null = null;
const viewer = (n: number): MockUser => ({ id: `v${n}`, login: `redeemer${n}`, displayName: `Redeemer${n}` });

/** `reconcileEveryMs` long by default, so a test sees the start and reconnect reconciliations alone. */
function start(roles: ('server' | 'worker')[], reconcileEveryMs = 600_000): Promise<RunningRoles> {
  const config = loadConfig({
    DATABASE_URL: database.url,
    TWITCH_IRC_URL: sim.url,
    TWITCH_CLIENT_ID: 'cid',
    TWITCH_CLIENT_SECRET: 's'.repeat(20),
    TOKEN_ENCRYPTION_KEY: KEY,
    TWITCH_CHANNELS: 'redeemchan,plainchan',
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  return startRoles(config, pino({ level: 'silent' }), roles, { twitch: { reconcileEveryMs, validateEveryMs: 200 } });
}

async function logInBroadcaster(user: MockUser): Promise<string> {
  const begin = await fetch(`${server.url}/auth/twitch?as=broadcaster`, { redirect: 'manual' });
  const state = new URL(begin.headers.get('location') ?? '').searchParams.get('state');
  const code = `code-${Math.random().toString(36).slice(2)}`;
  mock.codes.set(code, { userId: user.id, scopes: [...ROLE_SCOPES.broadcaster] });
  const done = await fetch(`${server.url}/auth/twitch/callback?code=${code}&state=${state}`);
  return done.text();
}

async function balance(login: string, userId: string): Promise<number | null> {
  const channel = await server.runtime.services.channels.get(login);
  const row = (await server.runtime.db.db.execute(sql`SELECT balance FROM accounts WHERE channel_id = ${channel.id} AND user_id = ${userId}`)).rows[0] as
    | { balance: number }
    | undefined;
  return row ? Number(row.balance) : null;
}

const rewardOf = (broadcasterId: string) => mock.rewards.get(broadcasterId)?.find((r) => r.title === 'Mission points')?.id ?? '';
const subscribed = () => mock.eventSubSubscriptions().some((s) => s.includes(` ${STREAMER.id} `));

beforeAll(async () => {
  sim = await startChatSimulator();
  mock = await startHelixMock();
  process.env.TWURPLE_MOCK_API_PORT = String(mock.port);
  mock.users.set(STREAMER.id, STREAMER);
  mock.users.set(PLAIN.id, PLAIN);
  mock.broadcasterTypes.set(PLAIN.id, '');
  database = await createTestDatabase('twitch_redemptions');
  server = await start(['server']);
});

afterAll(async () => {
  await worker?.stop();
  await server?.stop();
  await database?.drop();
  await sim?.close();
  await mock?.close();
  delete process.env.TWURPLE_MOCK_API_PORT;
});

describe('redemptions', () => {
  it('a broadcaster login handled by the server makes the running worker subscribe and credit, no restart', async () => {
    worker = await start(['worker']);
    expect(subscribed()).toBe(false);
    expect(await logInBroadcaster(STREAMER)).toContain('redeemchan is connected as the broadcaster');
    await expect.poll(subscribed, { timeout: 10_000 }).toBe(true);

    const live = mock.redeem(STREAMER.id, rewardOf(STREAMER.id), viewer(1));
    await expect.poll(() => balance('redeemchan', 'v1'), { timeout: 10_000 }).toBe(1_000 + 100);
    await expect.poll(() => live.status, { timeout: 5_000 }).toBe('FULFILLED');
  });

  it('credits redemptions made while the worker was stopped exactly once after it starts', async () => {
    await worker?.stop();
    worker = null;
    const missed = [mock.redeem(STREAMER.id, rewardOf(STREAMER.id), viewer(2)), mock.redeem(STREAMER.id, rewardOf(STREAMER.id), viewer(2))];
    expect(mock.eventSubSessions()).toBe(0);

    worker = await start(['worker']);
    await expect.poll(() => balance('redeemchan', 'v2'), { timeout: 10_000 }).toBe(1_000 + 200);
    await expect.poll(() => missed.map((r) => r.status), { timeout: 5_000 }).toEqual(['FULFILLED', 'FULFILLED']);

    // A second restart reads the queue again: nothing is left in it, nothing is credited twice.
    await worker.stop();
    worker = await start(['worker']);
    await expect.poll(subscribed, { timeout: 10_000 }).toBe(true);
    expect(await balance('redeemchan', 'v2')).toBe(1_000 + 200);
    const channel = await server.runtime.services.channels.get('redeemchan');
    expect((await auditChannel(server.runtime.db.db, channel.id)).ok).toBe(true);
  });

  it('credits a redemption made during an EventSub reconnect, read back once the session is back', async () => {
    await expect.poll(subscribed, { timeout: 10_000 }).toBe(true);
    mock.dropEventSub();
    const during = mock.redeem(STREAMER.id, rewardOf(STREAMER.id), viewer(3));
    await expect.poll(() => balance('redeemchan', 'v3'), { timeout: 10_000 }).toBe(1_000 + 100);
    await expect.poll(() => during.status, { timeout: 5_000 }).toBe('FULFILLED');
  });

  it("follows Twitch's session_reconnect without losing or repeating a redemption", async () => {
    await expect.poll(subscribed, { timeout: 10_000 }).toBe(true);
    const connections = mock.eventSubConnections();
    mock.reconnectEventSub();
    // Sent while the client moves: Twitch delivers it on the old session, which is still open.
    const during = mock.redeem(STREAMER.id, rewardOf(STREAMER.id), viewer(5));
    await expect.poll(() => balance('redeemchan', 'v5'), { timeout: 10_000 }).toBe(1_000 + 100);
    // Once moved, the new session (which inherited the subscription) delivers.
    await expect.poll(() => mock.eventSubConnections(), { timeout: 10_000 }).toBe(connections + 1);
    await expect.poll(subscribed, { timeout: 10_000 }).toBe(true);
    const after = mock.redeem(STREAMER.id, rewardOf(STREAMER.id), viewer(5));
    await expect.poll(() => balance('redeemchan', 'v5'), { timeout: 10_000 }).toBe(1_000 + 200);
    expect([during.status, after.status]).toEqual(['FULFILLED', 'FULFILLED']);
    expect(mock.eventSubSessions()).toBe(1);
  });

  it('marks FULFILLED at a later periodic reconciliation when Twitch failed the first status update', async () => {
    await worker?.stop();
    worker = await start(['worker'], 300);
    await expect.poll(subscribed, { timeout: 10_000 }).toBe(true);
    mock.redemptionUpdateFailures = [503];
    const redemption = mock.redeem(STREAMER.id, rewardOf(STREAMER.id), viewer(4));
    await expect.poll(() => balance('redeemchan', 'v4'), { timeout: 10_000 }).toBe(1_000 + 100);
    await expect.poll(() => redemption.status, { timeout: 10_000 }).toBe('FULFILLED');
    expect(await balance('redeemchan', 'v4')).toBe(1_000 + 100);
  });
});

describe('a broadcaster token revoked on Twitch', () => {
  it('is found by the periodic validation and ends the EventSub subscription', async () => {
    await expect.poll(subscribed, { timeout: 10_000 }).toBe(true);
    mock.revoke(STREAMER.id);
    await expect.poll(subscribed, { timeout: 10_000 }).toBe(false);
    const tokens = (await server.runtime.db.db.execute(sql`SELECT status FROM twitch_tokens WHERE user_id = ${STREAMER.id}`)).rows;
    expect(tokens).toEqual([{ status: 'invalid' }]);
  });
});

describe('reward creation refused by Twitch', () => {
  it('says so on the login result page and in the set-up status, not only in a log line', async () => {
    const page = await logInBroadcaster(PLAIN);
    expect(page).toContain('plainchan is connected as the broadcaster');
    expect(page).toContain('Affiliate or Partner');
    const channel = await server.runtime.services.channels.get('plainchan');
    expect(await listSetupSteps(server.runtime.db.db)).toContainEqual(expect.objectContaining({ key: `reward:${channel.id}`, ok: false, detail: expect.stringContaining('Affiliate') }));
  });

  it('names a reward of the same title made outside Mission Link', async () => {
    mock.broadcasterTypes.set(PLAIN.id, 'affiliate');
    mock.foreignRewards.set(PLAIN.id, ['Mission points']);
    expect(await logInBroadcaster(PLAIN)).toContain('already exists but was not made by Mission Link');
  });
});
