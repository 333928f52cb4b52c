/**
 * Hostile input: random JSON of any shape, deep nesting, huge strings and wrong types
 * against every write route with valid credentials, random query strings on the reads, websocket
 * frames of any shape on the overlay, awkward mission text, and Idempotency-Key replays. Always a
 * 4xx `{error:{code,message}}` (never a 5xx, never a crash) and the journal unchanged.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, asChatUser, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'fuzzed';
let h: Harness;
let open = 0;
let pending = 0;
let url = '';
let overlayKey = '';

const journalSize = async () => ((await h.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM transfers`)).rows[0] as { n: number }).n;
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (v: unknown, keys: string[]) => isPlainObject(v) && Object.keys(v).every((k) => keys.includes(k));

const mod = () => asChatUser(h, CH, { login: CH, role: 'broadcaster' });
const viewer = () => asChatUser(h, CH, { login: 'fuzzviewer', role: 'viewer' });

/** Every write route, its credential, and the bodies that could be valid (skipped: they would act). */
const WRITES = () => [
  { method: 'POST', url: '/api/v1/channels', headers: asAdmin, couldBeValid: (b: unknown) => onlyKeys(b, ['login', 'broadcasterId', 'displayName', 'settings']) },
  { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, couldBeValid: (b: unknown) => isPlainObject(b) },
  { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: viewer(), couldBeValid: (b: unknown) => onlyKeys(b, ['text', 'amount', 'duration', 'proposer']) && 'text' in (b as object) },
  { method: 'POST', url: `/api/v1/channels/${CH}/missions/${open}/pledges`, headers: viewer(), couldBeValid: (b: unknown) => onlyKeys(b, ['amount', 'viewer']) && 'amount' in (b as object) },
  { method: 'POST', url: `/api/v1/channels/${CH}/viewers/fuzzviewer/give`, headers: mod(), couldBeValid: (b: unknown) => onlyKeys(b, ['amount']) && 'amount' in (b as object) },
  { method: 'POST', url: `/api/v1/channels/${CH}/viewers/fuzzviewer/take`, headers: mod(), couldBeValid: (b: unknown) => onlyKeys(b, ['amount']) && 'amount' in (b as object) },
  ...['approve', 'reject'].map((a) => ({ method: 'POST', url: `/api/v1/channels/${CH}/missions/${pending}/${a}`, headers: mod(), couldBeValid: (b: unknown) => b === null || onlyKeys(b, ['reason']) })),
  ...['success', 'fail', 'cancel'].map((a) => ({ method: 'POST', url: `/api/v1/channels/${CH}/missions/${open}/${a}`, headers: mod(), couldBeValid: (b: unknown) => b === null || onlyKeys(b, ['reason']) })),
  { method: 'POST', url: `/api/v1/channels/${CH}/missions/${open}/extend`, headers: mod(), couldBeValid: (b: unknown) => onlyKeys(b, ['duration']) && 'duration' in (b as object) },
];

function expectClearError(res: { status: number; body: any }, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)?.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  // `field`, when present, names the offending request field for a form to show the message beside it.
  const { field, ...error } = res.body.error as { field?: unknown };
  expect(error, what).toEqual({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
  if (field !== undefined) expect(typeof field, what).toBe('string');
}

beforeAll(async () => {
  // The frame fuzzer checks liveness with a ping after every frame; the ping budget has its own test.
  h = await startHarness({ label: 'fuzz', backend: 'postgres', workers: false, overlay: { pingBurst: 10_000 } });
  await createChannel(h, CH, { createCooldown: 0, maxOpenMissionsPerViewer: 5, blockedWords: ['badword'] });
  const p = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: viewer(), payload: { text: 'Pending one', amount: 10 } });
  pending = p.body.number;
  const o = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: mod(), payload: { text: 'Open one', amount: 10 } });
  open = o.body.number;
  expect([p.status, o.status, o.body.status]).toEqual([201, 201, 'open']);
  url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  overlayKey = (await h.runtime.services.channels.get(CH)).overlayKey;
});
afterAll(async () => h?.close());

describe('REST bodies and queries of any shape', () => {
  it('random JSON on every write route: a clear 4xx and no ledger change', async () => {
    const before = await journalSize();
    for (const route of WRITES()) {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (body) => {
          fc.pre(!route.couldBeValid(body));
          const res = await call(h, { method: route.method as 'POST', url: route.url, headers: { ...route.headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
          expectClearError(res, `${route.method} ${route.url} ${JSON.stringify(body).slice(0, 200)}`);
        }),
        { numRuns: 60 },
      );
    }
    expect(await journalSize()).toBe(before);
  });

  it('wrong types in the right fields: a clear 4xx and no ledger change', async () => {
    const before = await journalSize();
    const wrong = fc.oneof(fc.string(), fc.double(), fc.integer({ min: -1e12, max: 0 }), fc.boolean(), fc.constant(null), fc.array(fc.integer()), fc.object({ maxDepth: 2 }), fc.constantFrom('1e3', '0x10', '-5', 'NaN', 'Infinity', '9'.repeat(40), '50.5%', '101%', 'all ', '1k1'));
    await fc.assert(
      fc.asyncProperty(wrong, async (amount) => {
        fc.pre(!(typeof amount === 'string' && /^(all|half|\d{1,2}%|100%)$/.test(amount)));
        const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${open}/pledges`, headers: viewer(), payload: { amount } });
        expectClearError(res, `amount ${JSON.stringify(amount)}`);
      }),
      { numRuns: 150 },
    );
    expect(await journalSize()).toBe(before);
  });

  it('deep nesting, huge strings, malformed JSON and odd content types', async () => {
    const before = await journalSize();
    const route = `/api/v1/channels/${CH}/missions/${open}/pledges`;
    const raw = [
      '['.repeat(5_000) + ']'.repeat(5_000),
      '{"a":'.repeat(3_000) + '1' + '}'.repeat(3_000),
      JSON.stringify({ amount: 10, pad: 'x'.repeat(200_000) }),
      JSON.stringify({ amount: 'x'.repeat(10_000) }),
      '{"amount": 10,',
      '\u0000\u0001\u0002',
      '{"amount":1e309}',
      '{"__proto__":{"admin":true},"amount":"all"}',
      '{"constructor":{"prototype":{"x":1}}}',
    ];
    for (const payload of raw) {
      const res = await call(h, { method: 'POST', url: route, headers: { ...viewer(), 'content-type': 'application/json' }, payload });
      expectClearError(res, payload.slice(0, 60));
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const res = await call(h, { method: 'POST', url: route, headers: { ...viewer(), 'content-type': type }, payload: 'amount=10' });
      expectClearError(res, type);
    }
    expect(await journalSize()).toBe(before);
  });

  it('random query strings on the reads: never a 5xx', async () => {
    const reads = [`/api/v1/channels/${CH}/missions`, `/api/v1/channels/${CH}/missions/${open}/pledges`, `/api/v1/channels/${CH}/ledger`, `/api/v1/channels/${CH}/leaderboard`];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...reads), fc.dictionary(fc.constantFrom('status', 'cursor', 'limit', 'x', '__proto__'), fc.string({ maxLength: 60 })), async (path, query) => {
        const res = await h.app.inject({ method: 'GET', url: path, query });
        expect(res.statusCode, `${path} ${JSON.stringify(query)} ${res.body.slice(0, 200)}`).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json().error.code).toMatch(/^[A-Z_]+$/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('mission text', () => {
  const texts = [
    '<script>alert(1)</script><img src=x onerror=alert(1)>',
    'Tab\there\u0007bell\u001b[31mred\u0000nul',
    'zero\u200bwidth\u200c\u200d\u2060\ufeffjoin',
    '\u202eevil RTL override\u202c \u2067isolate\u2069',
    'line one\nline two\r\nline three',
    '👩‍👩‍👧‍👦 family emoji 🏳️‍🌈',
    '\u200b\u200b\u200b',
  ];

  it('is stored as plain text with control and invisible characters removed, or refused clearly', async () => {
    let i = 0;
    for (const text of texts) {
      const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: `writer${i++}` }), payload: { text, amount: 10 } });
      if (res.status === 201) {
        expect(res.body.text, text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u200b\u200c\u2060\ufeff\u202e\u202c]/);
        const page = await h.app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/missions/${res.body.number}` });
        expect(page.headers['content-type']).toMatch(/^application\/json/);
        await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${res.body.number}/cancel`, headers: mod() });
      } else {
        expectClearError(res, JSON.stringify(text));
      }
    }
  });

  it('4,000-character lines and blocked words are refused with a clear error and change nothing', async () => {
    const before = await journalSize();
    for (const text of ['a'.repeat(4_000), `${'word '.repeat(800)}`.trim(), 'this has a BadWord in it', 'b\u200badword hidden by a zero-width space']) {
      const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'longwriter' }), payload: { text, amount: 10 } });
      expectClearError(res, text.slice(0, 40));
    }
    expect(await journalSize()).toBe(before);
  });
});

describe('replays', () => {
  it('the same Idempotency-Key with a different body is refused with 409 and nothing changes', async () => {
    const headers = { ...viewer(), 'idempotency-key': 'msg-123' };
    const url = `/api/v1/channels/${CH}/missions/${open}/pledges`;
    const first = await call(h, { method: 'POST', url, headers, payload: { amount: 10 } });
    expect(first.status).toBe(201);
    const before = await journalSize();
    const again = await call(h, { method: 'POST', url, headers, payload: { amount: 10 } });
    expect(again.status).toBe(200);
    expect(again.body.pledge.id).toBe(first.body.pledge.id);
    const changed = await call(h, { method: 'POST', url, headers, payload: { amount: 11 } });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    const balance = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/fuzzviewer` })).body.balance;
    expect(balance).toBe(again.body.balance);
    expect(await journalSize()).toBe(before);
  });
});

describe('overlay websocket frames', () => {
  const connect = async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/overlay/${CH}?key=${encodeURIComponent(overlayKey)}`);
    const messages: string[] = [];
    ws.on('message', (d) => messages.push(String(d)));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    return { ws, messages, closed };
  };
  const alive = async (c: Awaited<ReturnType<typeof connect>>) => {
    if (c.ws.readyState !== WebSocket.OPEN) return false;
    const n = c.messages.length;
    c.ws.send(JSON.stringify({ type: 'ping' }));
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      if (c.messages.slice(n).some((m) => m.includes('pong'))) return true;
      if (c.ws.readyState !== WebSocket.OPEN) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  };

  it('random bytes, huge frames and deep JSON: no crash; the socket answers or is closed cleanly', async () => {
    const frames: Array<Buffer | string> = [
      ...fc.sample(fc.uint8Array({ maxLength: 512 }), 30).map((a) => Buffer.from(a)),
      ...fc.sample(fc.jsonValue(), 30).map((v) => JSON.stringify(v)),
      '['.repeat(20_000) + ']'.repeat(20_000),
      JSON.stringify({ type: 'resync', pad: 'x'.repeat(60_000) }),
      Buffer.alloc(200_000, 0x41),
      '{"type":"__proto__"}',
    ];
    let c = await connect();
    for (const frame of frames) {
      c.ws.send(frame);
      if (!(await alive(c))) {
        const code = await Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 5_000))]);
        expect([1003, 1007, 1008, 1009, 1011], `after ${String(frame).slice(0, 80)} (${frame.length} long), state ${c.ws.readyState}`).toContain(code);
        c = await connect();
      }
    }
    expect(await alive(c)).toBe(true);
    c.ws.close();
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await expectAuditOk(h, CH);
  });
});
