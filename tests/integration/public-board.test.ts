/**
 * The public mission board's server side: its feed needs no key or session, sends the same
 * public frames to everyone (never a role, a verdict permission or the overlay key), resumes,
 * refuses unknown channels, and holds the overlay hub's abuse limits (sockets per address,
 * oversized and unexpected frames, ping floods). A viewer signs in through Twitch (mocked at the
 * edge) with `as=viewer`, sees their balance and pledges, pledges once per Idempotency-Key
 * through the chat pledge path, and gets 401/403 on every moderator and owner route.
 */
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { PublicBoardFrame } from '../../server/http/schemas/public-board.js';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTokenService } from '../../server/services/tokens.js';
import { wireTwitch, type TwitchWiring } from '../../server/twitch/wiring.js';
import { connectBoard, type BoardClient } from '../support/board-client.js';
import { browserSession, sessionCookieOf, signInAsAdmin, type BrowserSession } from '../support/dashboard.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startHelixMock, type HelixMock } from '../support/helix-mock.js';
import { uniqueName } from '../support/services.js';

const CH = 'publicch';
const PER_ADDRESS = 5;
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v)));

let database: TestDatabase;
let mock: HelixMock;
let runtime: Runtime;
let wiring: TwitchWiring;
let app: FastifyInstance;
let base: string;
let botToken: string;
let overlayKey: string;
let admin: BrowserSession;
const clients: BoardClient[] = [];

const viewerUser = { id: '801', login: 'curiousviewer', displayName: 'CuriousViewer' };
const modUser = { id: '802', login: 'sneakymod', displayName: 'SneakyMod' };

function feed(channel = CH, query = '', headers: Record<string, string> = {}): BoardClient {
  const client = connectBoard(`${base.replace('http', 'ws')}/ws/public/${channel}${query}`, headers);
  clients.push(client);
  return client;
}

/**
 * A feed socket with its snapshot, once the server has let go of this address's earlier sockets
 * (their closes reach the server a moment after the client sees them).
 */
async function freshFeed(): Promise<BoardClient> {
  for (let attempt = 0; ; attempt += 1) {
    const client = feed();
    const first = await Promise.race([client.next((m) => m.type === 'snapshot').then(() => null), client.closed]);
    if (first === null) return client;
    if (first.code !== 1013 || attempt > 50) throw new Error(`feed closed ${first.code}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const chatHeaders = (login: string, role = 'viewer') => ({
  authorization: `Bearer ${botToken}`,
  'x-acting-channel': CH,
  'x-acting-user-id': `id-${login}`,
  'x-acting-user-login': login,
  'x-acting-user-display-name': login,
  'x-acting-user-role': role,
});

async function openMission(text: string): Promise<number> {
  const res = await app.inject({ method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: chatHeaders('proposer'), payload: { text, amount: 20 } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().number as number;
}

/** The `as=viewer` sign-in as the mock's user `userId`; returns the callback's answer. */
async function viewerLogin(userId: string, channel = CH) {
  const start = await app.inject({ method: 'GET', url: `/auth/twitch?as=viewer&channel=${channel}` });
  expect(start.statusCode, start.body).toBe(302);
  const location = new URL(start.headers.location as string);
  expect(location.searchParams.get('scope'), 'a viewer sign-in asks for no scope').toBe('');
  const code = `code-${userId}-${Math.random().toString(36).slice(2)}`;
  mock.codes.set(code, { userId, scopes: [] });
  return app.inject({ method: 'GET', url: `/auth/twitch/callback?code=${code}&state=${encodeURIComponent(location.searchParams.get('state')!)}` });
}

beforeAll(async () => {
  mock = await startHelixMock();
  process.env.TWURPLE_MOCK_API_PORT = String(mock.port);
  for (const u of [viewerUser, modUser]) mock.users.set(u.id, u);
  database = await createTestDatabase('public_board');
  const config = loadConfig({
    DATABASE_URL: database.url,
    TWITCH_CLIENT_ID: 'cid',
    TWITCH_CLIENT_SECRET: 's'.repeat(20),
    TOKEN_ENCRYPTION_KEY: 'p'.repeat(40),
    PUBLIC_URL: 'http://localhost:80',
    LOG_LEVEL: 'silent',
  });
  runtime = await createRuntime(config, pino({ level: 'silent' }), { jobPrefix: uniqueName('public'), poolMax: 10 });
  wiring = await wireTwitch(runtime);
  app = await buildMissionApp(runtime, { plugins: [wiring.routes], publicBoard: { maxSocketsPerAddress: PER_ADDRESS } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  await runtime.services.channels.create({ login: CH, settings: { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 5 } });
  botToken = (await createTokenService(runtime.db.db).issueToken({ role: 'bot', label: 'tests' })).token;
  admin = await signInAsAdmin(app);
  overlayKey = (await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}`, headers: { cookie: admin.cookie } })).json().overlayKey as string;
  expect(overlayKey).toEqual(expect.any(String));
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await app?.close();
  wiring?.stop();
  await runtime?.close();
  await database?.drop();
  await mock?.close();
  delete process.env.TWURPLE_MOCK_API_PORT;
});

describe('public board feed', () => {
  it('needs no key or session, sends public frames only, in sequence, and resumes', async () => {
    const n = await openMission('Public mission');
    const client = feed();
    const snap = await client.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ seq: expect.any(Number), stream: expect.any(String), channel: { login: CH, missionsPaused: false, currencyName: 'pts' } });
    expect((snap.missions as Array<{ number: number }>).map((m) => m.number)).toContain(n);
    const pledge = await app.inject({ method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/pledges`, headers: chatHeaders('chatbacker'), payload: { amount: 120 } });
    expect(pledge.statusCode, pledge.body).toBe(201);
    const pledged = await client.next((m) => m.type === 'pledge' && m.missionNumber === n);
    expect(pledged).toMatchObject({ pot: 140, backers: 2, seq: (snap.seq as number) + 1 });
    expect((pledged.topBackers as Array<{ amount: number }>)[0]?.amount).toBe(120);
    const verdict = await app.inject({ method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/fail`, headers: admin.write, payload: { reason: 'died' } });
    expect(verdict.statusCode, verdict.body).toBe(200);
    await client.next((m) => m.type === 'resolved' && (m.mission as { number: number }).number === n);
    for (const frame of client.messages) {
      expect(Value.Errors(PublicBoardFrame, frame).First()?.message, JSON.stringify(frame)).toBeUndefined();
      const text = JSON.stringify(frame);
      for (const secret of [overlayKey, '"judge"', '"role"', '"yourPledge"', '"overlayUrl"', '"totals"']) expect(text).not.toContain(secret);
    }
    // A reconnect with the last seq gets exactly what it missed.
    const lastSeq = client.messages.at(-1)!.seq as number;
    await client.close();
    const m2 = await openMission('While away');
    const back = feed(CH, `?since=${lastSeq}&stream=${snap.stream as string}`);
    const resumed = await back.next((m) => m.type === 'resume');
    expect(resumed.seq).toBe(lastSeq);
    const missed = await back.next((m) => m.type === 'mission' && (m.mission as { number: number }).number === m2);
    expect(missed.seq).toBe(lastSeq + 1);
    expect(back.messages.some((m) => m.type === 'snapshot')).toBe(false);
    await back.close();
  });

  it('closes with 4404 for a channel that does not exist (or is no channel name)', async () => {
    expect((await feed('nosuchchannel').closed).code).toBe(4404);
    expect((await feed('Not%20A%20Login').closed).code).toBe(4404);
  });

  it('caps sockets per address and keeps serving the ones it holds', async () => {
    const held: BoardClient[] = [];
    for (let i = 0; i < PER_ADDRESS; i += 1) held.push(await freshFeed());
    const refused = await feed().closed;
    expect(refused.code).toBe(1013);
    // The held ones still get live frames; closing one frees a slot.
    const n = await openMission('Still live');
    await Promise.all(held.map((c) => c.next((m) => m.type === 'mission' && (m.mission as { number: number }).number === n)));
    await held[0]!.close();
    const again = await freshFeed();
    for (const c of [again, ...held.slice(1)]) await c.close();
  });

  it('closes a socket that sends an oversized frame, junk frames or a ping flood', async () => {
    const big = await freshFeed();
    big.ws.send('x'.repeat(70 * 1024));
    expect((await big.closed).code).toBe(1009);

    const junk = await freshFeed();
    for (let i = 0; i < 25; i += 1) junk.ws.send(JSON.stringify({ type: 'hello', pad: 'y'.repeat(300) }));
    expect((await junk.closed).code).toBe(1008);

    const flood = await freshFeed();
    for (let i = 0; i < 40; i += 1) flood.ws.send('{"type":"ping"}');
    expect((await flood.closed).code).toBe(1008);
    const pongs = flood.messages.filter((m) => m.type === 'pong').length;
    expect(pongs, 'only the ping budget is answered').toBeLessThanOrEqual(3);

    // A resync loop re-reads the database at most once a second per socket.
    const loops = await freshFeed();
    for (let i = 0; i < 10; i += 1) loops.ws.send('{"type":"resync"}');
    loops.ws.send('{"type":"ping"}');
    await loops.next((m) => m.type === 'pong');
    expect(loops.messages.filter((m) => m.type === 'snapshot').length).toBeLessThanOrEqual(2);
    await loops.close();
  });
});

describe('viewer sign-in and pledges from the page', () => {
  let viewer: BrowserSession;

  it('as=viewer opens a viewer session and lands on the public board; an unknown channel gets a clear page', async () => {
    const res = await viewerLogin(viewerUser.id);
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe(`/p/${CH}`);
    viewer = await browserSession(app, sessionCookieOf(res)!);
    const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: viewer.cookie } });
    expect(me.json()).toMatchObject({ signedIn: true, user: { login: viewerUser.login, admin: false }, channels: [] });
    const kind = await runtime.db.db.execute(sql`SELECT kind FROM dashboard_sessions WHERE user_id = ${viewerUser.id}`);
    expect(kind.rows).toEqual([{ kind: 'viewer' }]);

    const start = await app.inject({ method: 'GET', url: '/auth/twitch?as=viewer&channel=nosuchchannel' });
    const code = 'code-unknown';
    mock.codes.set(code, { userId: viewerUser.id, scopes: [] });
    const state = new URL(start.headers.location as string).searchParams.get('state')!;
    const unknown = await app.inject({ method: 'GET', url: `/auth/twitch/callback?code=${code}&state=${encodeURIComponent(state)}` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('nosuchchannel is not a channel');
    expect((await app.inject({ method: 'GET', url: '/auth/twitch?as=viewer' })).statusCode).toBe(400);
  });

  it('shows the balance, pledges once per Idempotency-Key through the chat path, and lists the pledge', async () => {
    const n = await openMission('Pledge from the page');
    const before = await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/me`, headers: { cookie: viewer.cookie } });
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toMatchObject({ viewer: { login: viewerUser.login, balance: 1000, inEscrow: 0 }, pledges: [] });

    const send = (key: string | null, amount: unknown = 150, headers = viewer.write) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/channels/${CH}/me/pledges`,
        headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
        payload: { mission: n, amount },
      });
    expect((await send(null)).statusCode, 'a key is required').toBe(400);
    expect((await send('k1', 150, { cookie: viewer.cookie, origin: 'http://localhost:80' } as never)).statusCode, 'CSRF token required').toBe(403);
    expect((await send('k1', 150, { ...viewer.write, origin: 'https://evil.example' })).statusCode, 'cross-site refused').toBe(403);
    expect((await send('k1', -5)).statusCode).toBe(400);
    const first = await send('k1');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ balance: 850, mission: { number: n, pot: 170, backers: 2 }, pledge: { amount: 150, viewer: { login: viewerUser.login } } });
    const again = await send('k1');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().pledge.id).toBe(first.json().pledge.id);
    expect((await send('k1', 200)).statusCode, 'the same key with another body is refused').toBe(409);

    const rows = await runtime.db.db.execute(sql`SELECT count(*)::int AS n, sum(amount)::int AS total FROM pledges WHERE user_id = ${viewerUser.id}`);
    expect(rows.rows[0]).toEqual({ n: 1, total: 150 });
    const journal = await runtime.db.db.execute(sql`SELECT actor FROM transfers WHERE kind = 'pledge' AND pledge_id = ${first.json().pledge.id as number}`);
    expect(journal.rows).toEqual([{ actor: `user:${viewerUser.id}` }]);

    const after = (await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/me`, headers: { cookie: viewer.cookie } })).json();
    expect(after.viewer).toMatchObject({ balance: 850, inEscrow: 150 });
    expect(after.pledges).toEqual([expect.objectContaining({ missionNumber: n, amount: 150, settlement: null })]);
    const report = await auditChannel(runtime.db.db, (await runtime.services.channels.get(CH)).id);
    expect(report.violations).toEqual([]);
  });

  it('signed out, or with an admin session (no Twitch user), /me is refused', async () => {
    expect((await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/me` })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/me`, headers: { cookie: admin.cookie } })).statusCode).toBe(403);
  });

  it('a viewer session has no moderator or owner power anywhere, even for a user who moderates the channel', async () => {
    const channel = await runtime.services.channels.get(CH);
    await runtime.db.db.execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name) VALUES (${channel.id}, ${modUser.id}, ${modUser.login}, ${modUser.login})`);
    const res = await viewerLogin(modUser.id);
    expect(res.statusCode, res.body).toBe(302);
    const modAsViewer = await browserSession(app, sessionCookieOf(res)!);
    const me = (await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: modAsViewer.cookie } })).json();
    expect(me.channels, 'no channel role rides on a viewer session').toEqual([]);

    const n = await openMission('Guarded');
    const pending = await app.inject({
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions`,
      headers: chatHeaders('proposer2'),
      payload: { text: 'Pending one', amount: 20 },
    });
    expect(pending.statusCode).toBe(201);
    const routes: Array<[string, string, unknown?]> = [
      ['PATCH', `/api/v1/channels/${CH}/settings`, { minStake: 11 }],
      ['POST', `/api/v1/channels/${CH}/overlay-key`],
      ['POST', `/api/v1/channels/${CH}/pause`],
      ['POST', `/api/v1/channels/${CH}/resume`],
      ['GET', `/api/v1/channels/${CH}/audit`],
      ['GET', `/api/v1/channels/${CH}/overlay/status`],
      ['POST', `/api/v1/channels/${CH}/overlay/test`],
      ['GET', `/api/v1/channels/${CH}/board/missions/${n}`],
      ['POST', `/api/v1/channels/${CH}/missions/${n}/success`],
      ['POST', `/api/v1/channels/${CH}/missions/${n}/fail`],
      ['POST', `/api/v1/channels/${CH}/missions/${n}/cancel`],
      ['POST', `/api/v1/channels/${CH}/missions/${n}/extend`, { duration: '10m' }],
      ['POST', `/api/v1/channels/${CH}/missions/${pending.json().number as number}/approve`],
      ['POST', `/api/v1/channels/${CH}/missions/${pending.json().number as number}/reject`],
      ['POST', `/api/v1/channels/${CH}/missions`, { text: 'As a viewer session', amount: 20 }],
      ['POST', `/api/v1/channels/${CH}/missions/${n}/pledges`, { amount: 10 }],
      ['POST', `/api/v1/channels/${CH}/viewers/chatbacker/give`, { amount: 10 }],
      ['POST', `/api/v1/channels/${CH}/viewers/chatbacker/take`, { amount: 10 }],
      ['GET', `/api/v1/channels/${CH}/setup`],
      ['POST', '/api/v1/channels', { login: 'newchannel' }],
      ['GET', `/api/v1/channels/${CH}/tokens`],
      ['POST', `/api/v1/channels/${CH}/tokens`, { role: 'owner' }],
      ['DELETE', `/api/v1/channels/${CH}/tokens/1`],
      ['GET', `/api/v1/channels/${CH}/sessions`],
      ['DELETE', `/api/v1/channels/${CH}/sessions/1`],
    ];
    // Every write route the API documents is in the list above (or is the viewer's own pledge).
    const spec = (app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }).swagger();
    const listed = new Set(routes.map(([m, u]) => `${m} ${u.replace(/\/(tokens|sessions)\/\d+$/, '/$1/{id}').replace(/\/\d+(?=\/|$)/g, '/{n}').replace('/chatbacker/', '/{login}/').replace(`/${CH}`, '/{channel}')}`));
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const method of Object.keys(methods)) {
        if (method === 'get' || path.endsWith('/me/pledges')) continue;
        // The demo chat exists only under npm run demo; channel-less writes are admin-only (POST /channels, listed).
        if (path.includes('/demo/') || !path.includes('{channel}')) continue;
        const key = `${method.toUpperCase()} ${path}`;
        expect(listed.has(key) ? true : key, 'write route missing from the 403 list').toBe(true);
      }
    }
    for (const session of [viewer, modAsViewer]) {
      for (const [method, url, payload] of routes) {
        const res = await app.inject({ method: method as 'GET', url, headers: { ...session.write, 'idempotency-key': `v-${Math.random()}` }, ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
      }
      const board = connectBoard(`${base.replace('http', 'ws')}/ws/board/${CH}`, { cookie: session.cookie, origin: base });
      clients.push(board);
      expect((await board.closed).code, 'the moderators board refuses a viewer session').toBe(4403);
    }
    const settings = (await runtime.services.channels.get(CH)).settings;
    expect(settings.minStake, 'nothing changed').toBe(10);
    // Its own page still works: the user as themself.
    expect((await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/me`, headers: { cookie: modAsViewer.cookie } })).statusCode).toBe(200);
  });
});
