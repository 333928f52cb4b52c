/**
 * One text rule for every name-like string a caller sends (display names in bodies and in the
 * bot's headers, the channel's display name, currency name, blocked words, reasons): control
 * characters (NUL among them, which Postgres refuses), bidi overrides and invisible-only text are
 * a 400 that changes nothing, and a pledge carrying one cannot fail other people's pledges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, asChatUser, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'textrule';
const BAD: Array<[string, string]> = [
  ['NUL', 'ev\u0000il'],
  ['newline', 'two\nlines'],
  ['bidi override', 'abc\u202Egnp.exe'],
  ['zero-width space only', '\u200B'],
  ['Hangul filler only', '\u3164'],
  ['blank only', '   '],
  ['padded', ' alice '],
];

let h: Harness;
let mission = 0;

async function journalSize(): Promise<number> {
  const { rows } = await h.database.pool.query('SELECT count(*)::int AS n FROM transfers');
  return (rows[0] as { n: number }).n;
}

beforeAll(async () => {
  h = await startHarness({ label: 'text_rule', workers: false });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0 });
  const created = await call(h, {
    method: 'POST', url: `/api/v1/channels/${CH}/missions`,
    headers: asChatUser(h, CH, { login: 'host' }), payload: { text: 'Pledge target', amount: 10 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  mission = created.body.number as number;
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('the text rule', () => {
  it.each(BAD)('refuses %s in every name-like field with 400, changing nothing', async (_name, bad) => {
    const before = await journalSize();
    const viewer = { userId: 'u-text', login: 'textviewer', displayName: bad };
    const attempts = [
      { method: 'POST' as const, url: `/api/v1/channels/${CH}/missions`, headers: asAdmin, payload: { text: 'A mission', proposer: viewer } },
      { method: 'POST' as const, url: `/api/v1/channels/${CH}/missions/${mission}/pledges`, headers: asAdmin, payload: { amount: 10, viewer } },
      { method: 'PATCH' as const, url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { currencyName: bad } },
      { method: 'PATCH' as const, url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { blockedWords: ['fine', bad] } },
      { method: 'POST' as const, url: '/api/v1/channels', headers: asAdmin, payload: { login: 'textnew', displayName: bad } },
    ];
    for (const attempt of attempts) {
      const res = await call(h, attempt);
      expect(res.status, `${attempt.url} ${JSON.stringify(attempt.payload)}`).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
    }
    const reason = await call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/missions/${mission + 1000}/reject`, headers: asAdmin, payload: { reason: bad.trim() === '' ? bad : `no ${bad}` },
    });
    expect(reason.status).toBe(400);
    const relayed = await call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/missions/${mission}/pledges`,
      headers: { ...asChatUser(h, CH, { login: 'headerviewer' }), 'x-acting-user-display-name': encodeURIComponent(bad) }, payload: { amount: 10 },
    });
    expect(relayed.status).toBe(400);
    expect(await journalSize()).toBe(before);
    const channel = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}` });
    expect(channel.body.settings.currencyName).toBe('pts');
    expect(channel.body.settings.blockedWords).toEqual([]);
  });

  it('holds for callers other than the API too (the channels CLI and other services)', async () => {
    const { channels } = h.runtime.services;
    await expect(channels.create({ login: 'textcli', displayName: 'a\u0000b' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(channels.updateSettings(CH, { currencyName: 'pts\u202E' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(channels.updateSettings(CH, { blockedWords: ['\u200B'] })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await channels.get(CH)).settings.currencyName).toBe('pts');
  });

  it('accepts names people really have: Korean, emoji with joiners, accents', async () => {
    for (const displayName of ['캐롤', '👩‍💻 dev', 'Zoë', 'O\u2019Brien']) {
      const res = await call(h, {
        method: 'POST', url: `/api/v1/channels/${CH}/missions/${mission}/pledges`, headers: asAdmin,
        payload: { amount: 10, viewer: { userId: `u-${displayName.length}-${displayName.codePointAt(0)}`, login: `ok${displayName.codePointAt(0)}`, displayName } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.pledge.viewer.displayName).toBe(displayName);
    }
  });

  it('a pledge with a NUL in its name fails alone; the concurrent ones all land', async () => {
    const before = await journalSize();
    const pledges = Array.from({ length: 19 }, (_, i) =>
      call(h, {
        method: 'POST', url: `/api/v1/channels/${CH}/missions/${mission}/pledges`, headers: asAdmin,
        payload: { amount: 10, viewer: { userId: `u-crowd-${i}`, login: `crowd${i}`, displayName: `Crowd ${i}` } },
      }),
    );
    const poisoned = call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/missions/${mission}/pledges`, headers: asAdmin,
      payload: { amount: 10, viewer: { userId: 'u-poison', login: 'poison', displayName: 'x\u0000y' } },
    });
    const results = await Promise.all([...pledges, poisoned]);
    expect(results.slice(0, 19).map((r) => r.status)).toEqual(Array(19).fill(201));
    expect(results[19]!.status).toBe(400);
    // Each new viewer: a starting balance and a pledge.
    expect(await journalSize()).toBe(before + 19 * 2);
    await expectAuditOk(h, CH);
  });
});
