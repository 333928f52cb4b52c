/**
 * The dashboard's live board: the authenticated feed (snapshot, seq, resume), what a board shows
 * per mission (top backers, whether you may judge), two moderators racing a verdict, and the
 * overlay page's test event and connected count. Real Postgres, the real app on a port, real
 * websocket clients.
 */
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { sql } from 'drizzle-orm';
import { BoardFrame } from '../../server/http/schemas/dashboard.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBoard, type BoardClient, type BoardMessage } from '../support/board-client.js';
import { browserSession, signInAsAdmin, type BrowserSession } from '../support/dashboard.js';
import { asAdmin, asChatUser, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'boardch';
// TypeBox's Value checks formats only once told what they mean (the server's ajv knows date-time).
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v)));
let h: Harness;
let base: string;
let origin: string;
let admin: BrowserSession;
const mods: Record<string, BrowserSession> = {};
const open: BoardClient[] = [];
let proposals = 0;

/** A Twitch moderator of `channel` (as the last moderator sync saw it), signed in. */
async function moderatorSession(userId: string, login: string, channel = CH): Promise<BrowserSession> {
  const c = await h.runtime.services.channels.get(channel);
  await h.runtime.db.db.execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name) VALUES (${c.id}, ${userId}, ${login}, ${login})`);
  const session = await h.app.sessions.createTwitchSession({ userId, login, displayName: login });
  return browserSession(h.app, session.token);
}

function board(session: BrowserSession | null, query = '', channel = CH, headers: Record<string, string> = {}): BoardClient {
  const client = connectBoard(`${base.replace('http', 'ws')}/ws/board/${channel}${query}`, {
    origin,
    ...(session ? { cookie: session.cookie } : {}),
    ...headers,
  });
  open.push(client);
  return client;
}

// REST calls go through inject (Host localhost:80), so their Origin is the helper's, not the port's.
const writeHeaders = (s: BrowserSession) => s.write;

async function propose(text: string): Promise<number> {
  proposals += 1;
  const res = await call(h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions`,
    headers: asChatUser(h, CH, { login: `proposer${proposals}` }),
    payload: { text, amount: 10 },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number as number;
}

async function act(session: BrowserSession, n: number, action: string) {
  return call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/${action}`, headers: writeHeaders(session) });
}

async function pledge(login: string, n: number, amount: number, userId?: string) {
  const res = await call(h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions/${n}/pledges`,
    headers: asChatUser(h, CH, { login, userId }),
    payload: { amount },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

const isMission = (n: number, status?: string) => (m: BoardMessage) =>
  m.type === 'mission' && (m.mission as { number: number; status: string }).number === n && (status === undefined || (m.mission as { status: string }).status === status);

beforeAll(async () => {
  h = await startHarness({ label: 'dashboard_board', workers: false });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  origin = base;
  await createChannel(h, CH, { requireApproval: true, createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50 });
  await createChannel(h, 'elsewhere', { requireApproval: false });
  admin = await signInAsAdmin(h.app);
  mods.m1 = await moderatorSession('9001', 'modone');
  mods.m2 = await moderatorSession('9002', 'modtwo');
  mods.m3 = await moderatorSession('9003', 'modthree');
  mods.other = await moderatorSession('9009', 'othermod', 'elsewhere');
});

afterAll(async () => {
  for (const client of open) await client.close().catch(() => undefined);
  await h?.close();
});

describe('board feed', () => {
  it('is refused without a session, from another site, on a channel you do not moderate, or for no channel', async () => {
    expect((await board(null).closed).code).toBe(4401);
    expect((await board(admin, '', CH, { origin: 'https://evil.example' }).closed).code).toBe(4403);
    const foreign = await board(mods.other!).closed;
    expect(foreign.code).toBe(4403);
    expect(foreign.reason).toContain(CH);
    expect((await board(admin, '', 'nosuchchannel').closed).code).toBe(4404);
  });

  it('sends a snapshot, then each change with the next seq and the top backers', async () => {
    const n = await propose('Snapshot mission');
    const client = board(admin);
    const snap = await client.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ seq: expect.any(Number), stream: expect.any(String), role: 'admin', channel: { login: CH, missionsPaused: false } });
    const listed = (snap.missions as Array<{ number: number; topBackers: unknown[]; judge: { allowed: boolean } }>).find((m) => m.number === n);
    expect(listed?.topBackers).toEqual([{ viewer: expect.objectContaining({ login: `proposer${proposals}` }), amount: 10 }]);
    expect(listed?.judge.allowed, 'a pending mission gets no verdict').toBe(false);

    expect((await act(admin, n, 'approve')).status).toBe(200);
    const opened = await client.next(isMission(n, 'open'));
    await pledge('bigbacker', n, 300);
    const pledged = await client.next((m) => m.type === 'pledge' && m.missionNumber === n);
    expect(pledged.seq).toBeGreaterThan(opened.seq as number);
    // Every message after the snapshot carries the next number (the proposal may arrive after it too).
    const after = client.messages.slice(client.messages.indexOf(snap) + 1);
    expect(after.map((m) => m.seq)).toEqual(after.map((_, i) => (snap.seq as number) + 1 + i));
    // The frames are what the published schema (server/http/schemas/dashboard.ts) says.
    for (const frame of client.messages) expect(Value.Errors(BoardFrame, frame).First()?.message, JSON.stringify(frame)).toBeUndefined();
    expect(pledged).toMatchObject({ pot: 310, backers: 2 });
    expect((pledged.topBackers as Array<{ amount: number; viewer: { login: string } }>)[0]).toMatchObject({ amount: 300, viewer: { login: 'bigbacker' } });
  });

  it('resumes after a reconnect without missing an event, then carries on live', async () => {
    const n = await propose('Resume mission');
    const observer = board(admin);
    await observer.next((m) => m.type === 'snapshot');
    const first = board(mods.m1!);
    const snap = await first.next((m) => m.type === 'snapshot');
    await first.close();

    // While the board is away: a verdict, a pledge and a pause, seen by the observer. (The pause
    // is stamped locally, the pledge arrives over the bus: their order may be either.)
    expect((await act(mods.m2!, n, 'approve')).status).toBe(200);
    await pledge('latebacker', n, 50);
    expect((await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/pause`, headers: writeHeaders(admin) })).status).toBe(200);
    await observer.next(isMission(n, 'open'));
    await observer.next((m) => m.type === 'pledge' && m.missionNumber === n);
    const paused = await observer.next((m) => m.type === 'channel');
    expect(paused.missionsPaused).toBe(true);
    const lastSeen = Math.max(...observer.messages.map((m) => m.seq ?? 0));

    const again = board(mods.m1!, `?since=${snap.seq as number}&stream=${snap.stream as string}`);
    await again.next((m) => m.seq === lastSeen);
    expect(again.messages[0]).toMatchObject({ type: 'resume', seq: snap.seq, stream: snap.stream });
    const replayed = again.messages.slice(1);
    expect(replayed.map((m) => m.seq)).toEqual(replayed.map((_, i) => (snap.seq as number) + 1 + i));
    expect(replayed.some(isMission(n, 'open'))).toBe(true);
    expect(replayed.some((m) => m.type === 'pledge' && m.missionNumber === n)).toBe(true);
    expect(replayed.find((m) => m.type === 'channel')?.seq).toBe(paused.seq);
    const missed = observer.messages.filter((m) => (m.seq ?? 0) > (snap.seq as number) && (m.seq ?? 0) <= lastSeen);
    expect(replayed.slice(0, missed.length), 'exactly what the observer saw meanwhile').toEqual(missed);
    for (const frame of again.messages) expect(Value.Errors(BoardFrame, frame).First()?.message, JSON.stringify(frame)).toBeUndefined();
    expect(again.messages.some((m) => m.type === 'snapshot')).toBe(false);

    expect((await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/resume`, headers: writeHeaders(admin) })).status).toBe(200);
    const resumed = await again.next((m) => m.type === 'channel' && m.missionsPaused === false);
    expect(resumed.seq).toBeGreaterThan(lastSeen);
  });

  it('logout closes the session\'s open boards, and the cookie no longer opens one', async () => {
    const session = await signInAsAdmin(h.app);
    const client = board(session);
    await client.next((m) => m.type === 'snapshot');
    expect((await h.app.inject({ method: 'POST', url: '/logout', headers: session.write })).statusCode).toBe(204);
    expect((await client.closed).code).toBe(4401);
    expect((await board(session).closed).code).toBe(4401);
  });

  it('sends a fresh snapshot when the stream it resumes is unknown', async () => {
    const client = board(admin, '?since=3&stream=notastream');
    const first = await client.next(() => true);
    expect(first.type).toBe('snapshot');
  });
});

describe('judging from the board', () => {
  it('a moderator who pledged may not judge: the board says why and the verdict is refused', async () => {
    const n = await propose('Pledged moderator');
    expect((await act(admin, n, 'approve')).status).toBe(200);
    await pledge('modone', n, 20, '9001');
    const view = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/board/missions/${n}`, headers: { cookie: mods.m1!.cookie } });
    expect(view.status).toBe(200);
    expect(view.body.judge).toEqual({ allowed: false, code: 'PLEDGED', reason: expect.stringContaining('You pledged to #') });
    expect(view.body.yourPledge).toBe(20);
    const refused = await act(mods.m1!, n, 'success');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('RESOLVER_HAS_PLEDGED');
    const other = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/board/missions/${n}`, headers: { cookie: mods.m2!.cookie } });
    expect(other.body.judge).toEqual({ allowed: true, code: null, reason: null });
    expect(other.body.yourPledge).toBe(0);
    const stranger = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/board/missions/${n}`, headers: { cookie: mods.other!.cookie } });
    expect(stranger.status).toBe(403);
  });

  it('two moderators judging at once: one wins, the other is told what happened, nothing is paid twice', async () => {
    const n = await propose('Race mission');
    expect((await act(admin, n, 'approve')).status).toBe(200);
    await pledge('racer_a', n, 100);
    await pledge('racer_b', n, 200);
    const watcher = board(admin);
    await watcher.next((m) => m.type === 'snapshot');

    const [a, b] = await Promise.all([act(mods.m2!, n, 'success'), act(mods.m3!, n, 'fail')]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? a : b;
    expect(loser.body.error.code).toBe('INVALID_TRANSITION');
    expect(loser.body.error.message).toContain(winner.body.status);

    const resolved = await watcher.next((m) => m.type === 'resolved' && (m.mission as { number: number }).number === n);
    expect((resolved.mission as { status: string }).status).toBe(winner.body.status);
    const channelNow = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}` });
    expect(resolved.totals, 'the verdict frame carries the totals after it').toEqual(channelNow.body.totals);
    const c = await h.runtime.services.channels.get(CH);
    const moved = (await h.runtime.db.db.execute(sql`
      SELECT coalesce(sum(t.amount), 0)::int AS total, count(*)::int AS rows FROM transfers t JOIN missions m ON m.id = t.mission_id
      WHERE m.channel_id = ${c.id} AND m.number = ${n} AND t.kind IN ('payout', 'refund')`)).rows[0] as { total: number; rows: number };
    expect(moved.total, 'the pot leaves escrow exactly once').toBe(310);
    const unsettled = (await h.runtime.db.db.execute(sql`
      SELECT count(*)::int AS n FROM pledges p JOIN missions m ON m.id = p.mission_id WHERE m.channel_id = ${c.id} AND m.number = ${n} AND p.settlement IS NULL`)).rows[0] as { n: number };
    expect(unsettled.n).toBe(0);
    await expectAuditOk(h, CH);
  });
});

describe('overlay page', () => {
  it('a test event reaches the connected overlays only, and touches no ledger', async () => {
    const channel = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}`, headers: asAdmin });
    const overlay = connectBoard(`${base.replace('http', 'ws')}/ws/overlay/${CH}?key=${encodeURIComponent(channel.body.overlayKey as string)}`, {});
    open.push(overlay);
    await overlay.next((m) => m.type === 'snapshot');
    const status = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/overlay/status`, headers: { cookie: admin.cookie } });
    expect(status.body).toEqual({ connected: 1 });
    const setup = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/setup`, headers: { cookie: admin.cookie } });
    expect(setup.body.items.find((i: { id: string }) => i.id === 'overlay-seen')).toMatchObject({ ok: true });
    expect(setup.body.items.find((i: { id: string }) => i.id === 'try-it')).toMatchObject({ ok: true });
    const feed = board(admin);
    await feed.next((m) => m.type === 'snapshot');

    const count = async () => ((await h.runtime.db.db.execute(sql`SELECT (SELECT count(*) FROM transfers)::int + (SELECT count(*) FROM missions)::int AS n`)).rows[0] as { n: number }).n;
    const before = await count();
    const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/overlay/test`, headers: writeHeaders(admin) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.connected).toBe(1);
    const shown = await overlay.next((m) => m.type === 'mission' && (m.mission as { number: number }).number === res.body.missionNumber);
    expect((shown.mission as { text: string }).text).toContain('Test mission');
    await overlay.next((m) => m.type === 'pledge' && m.missionNumber === res.body.missionNumber);
    expect(await count()).toBe(before);
    // The board hears of real changes only: a later real change arrives, the test mission never.
    expect((await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/pause`, headers: writeHeaders(admin) })).status).toBe(200);
    await feed.next((m) => m.type === 'channel');
    expect(feed.messages.some((m) => JSON.stringify(m).includes(String(res.body.missionNumber)))).toBe(false);
    await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/resume`, headers: writeHeaders(admin) });

    const asModerator = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/overlay/test`, headers: writeHeaders(mods.m2!) });
    expect(asModerator.status, 'the overlay page is for the owner and the admin').toBe(403);
    await overlay.close();
  });

  it('the setup checklists: first run for the admin, per channel for its owner only', async () => {
    const first = await call(h, { method: 'GET', url: '/api/v1/setup', headers: { cookie: admin.cookie } });
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual(['channel', 'twitch-app', 'bot-account']);
    expect(first.body.items[0]).toMatchObject({ ok: true });
    const asModerator = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/setup`, headers: { cookie: mods.m1!.cookie } });
    expect(asModerator.status).toBe(403);
    const signedOut = await call(h, { method: 'GET', url: '/api/v1/setup' });
    expect(signedOut.status).toBe(401);
  });

  it('the demo chat answers 404 when the bot does not talk to the local simulator', async () => {
    const res = await call(h, { method: 'POST', url: '/api/v1/demo/chat', headers: writeHeaders(admin), payload: { channel: CH, login: 'alice', role: 'viewer', text: 'hi' } });
    expect(res.status).toBe(404);
  });
});


