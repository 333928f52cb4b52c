/**
 * The missions history and a mission's page in a real Chromium against the whole service: filters
 * kept in the URL (and through a reload), "Load more" over a few hundred missions, the export links
 * for owners and admins only, a mission's timeline, pledges and ledger rows (whose totals match the
 * ledger route), "Run again" for the admin (as the streamer) and for a moderator (as themselves),
 * and the pages on a phone, in Korean and in dark mode, without serious accessibility violations.
 */
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT, chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'historychan';
const BROADCASTER_ID = '777001';
const SEEDED = 300;
let world: DashboardWorld;
let admin: Page;
let modId: string;

type Json = Record<string, any>;
async function rest(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${world.base}/api/v1${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as Json };
}
const chat = (login: string, role: 'viewer' | 'moderator' = 'viewer') => world.asChatUser(CH, login, role);
const asMod = () => ({ ...chat('modmia', 'moderator'), 'x-acting-user-id': modId });
async function write(path: string, headers: Record<string, string>, body?: unknown): Promise<Json> {
  const res = await rest('POST', `/channels/${CH}${path}`, headers, body ?? {});
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
}

/** 300 finished missions by alice (even) and bob (odd), one every 2 hours from 2026-11-01; every third judged by mia. */
async function seedHistory(): Promise<void> {
  const db = world.runtime.db.db;
  const channel = await world.runtime.services.channels.get(CH);
  await db.execute(sql`INSERT INTO users (user_id, login, display_name) VALUES ('id-alice', 'alice', 'alice'), ('id-bob', 'bob', 'bob') ON CONFLICT DO NOTHING`);
  await db.execute(sql`
    INSERT INTO missions (channel_id, number, text, status, proposer_id, duration_ms, created_at, opened_at, deadline, resolved_at, resolved_by, settled, settled_at)
    SELECT ${channel.id}, g, 'Seeded mission ' || g,
           (CASE g % 3 WHEN 0 THEN 'succeeded' WHEN 1 THEN 'failed' ELSE 'cancelled' END)::mission_status,
           CASE WHEN g % 2 = 0 THEN 'id-alice' ELSE 'id-bob' END, 600000,
           t, t, t + interval '10 minutes', t + interval '20 minutes',
           CASE g % 3 WHEN 0 THEN ${`user:${modId}`} WHEN 1 THEN 'system' ELSE 'admin' END, true, t + interval '20 minutes'
    FROM generate_series(1, ${SEEDED}) g, LATERAL (SELECT timestamptz '2026-11-01T00:00:00Z' + (g - 1) * interval '2 hours' AS t) times`);
  await db.execute(sql`INSERT INTO accounts (channel_id, kind, mission_id) SELECT channel_id, 'escrow', id FROM missions WHERE channel_id = ${channel.id}`);
  await db.execute(sql`UPDATE channels SET next_mission_number = ${SEEDED + 1} WHERE id = ${channel.id}`);
}

const M1 = SEEDED + 1; // alice, approved by mia, 3 pledges, success by mia
const M2 = SEEDED + 2; // bob, approved, 9 pledges, failed by mia
const M3 = SEEDED + 3; // carol, approved and extended by mia, open

async function seedLive(): Promise<void> {
  await write('/missions', chat('alice'), { text: 'Beat the boss blindfolded', amount: 100, duration: '20m' });
  await write(`/missions/${M1}/approve`, asMod());
  await write(`/missions/${M1}/pledges`, chat('bob'), { amount: 40 });
  await write(`/missions/${M1}/pledges`, chat('carol'), { amount: 60 });
  await write(`/missions/${M1}/success`, asMod());
  await write('/missions', chat('bob'), { text: 'Speedrun the tutorial', amount: 50, duration: '15m' });
  await write(`/missions/${M2}/approve`, asMod());
  for (let i = 1; i <= 8; i++) await write(`/missions/${M2}/pledges`, chat(`fan${i}`), { amount: 100 * i });
  await write(`/missions/${M2}/fail`, asMod(), { reason: 'too slow' });
  await write('/missions', chat('carol'), { text: 'Sing the anthem', amount: 30, duration: '30m' });
  await write(`/missions/${M3}/approve`, asMod());
  await write(`/missions/${M3}/extend`, asMod(), { duration: '10m' });
}

const list = (p: Page) => p.locator('.history-item');
const settled = (p: Page) => p.waitForSelector('.history-list[data-loading="false"]');
/** Waits until the list shows the filters of `search` (the page's query string, '' for none) and is idle. */
const showing = (p: Page, search: string) => p.waitForSelector(`.history-list[data-loading="false"][data-query="${search}"]`);
const numbersShown = (p: Page) => list(p).evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-number'))));
async function openHistory(p: Page, query = ''): Promise<void> {
  await p.goto(`${world.base}/c/${CH}/missions${query}`);
  await p.getByRole('heading', { level: 1 }).waitFor();
  await showing(p, query);
}
async function loadAll(p: Page): Promise<void> {
  const more = p.getByRole('button', { name: 'Load more missions' });
  while ((await more.count()) > 0) {
    const before = await list(p).count();
    await more.click();
    await p.waitForFunction((n) => document.querySelectorAll('.history-item').length > n, before);
    await settled(p);
  }
}
const text = (p: Page, selector: string) => p.locator(selector).innerText();
const noOverflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_missions');
  world.sim.setMod(CH, BOT, true);
  await world.runtime.services.channels.create({
    login: CH,
    broadcasterId: BROADCASTER_ID,
    settings: { requireApproval: true, createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50 },
  });
  await world.sim.waitForJoin(CH, { login: BOT });
  // Mia is a moderator Twitch lists for the channel; she never pledges, so only that list names her.
  const moderatorPage = await world.newPage();
  await world.signInAsModerator(moderatorPage, CH, 'modmia');
  await moderatorPage.context().close();
  modId = world.sim.viewer('modmia')!.userId;
  await seedHistory();
  await seedLive();
  admin = await world.newPage();
  await world.signIn(admin);
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('the missions history', () => {
  it('lists every mission newest first and loads more, page by page, with no gaps or repeats', async () => {
    await openHistory(admin);
    expect(await admin.getByRole('heading', { level: 1 }).innerText()).toBe(`Missions · ${CH}`);
    const first = await numbersShown(admin);
    expect(first).toHaveLength(50);
    expect(first[0]).toBe(M3);
    await expect(admin.getByRole('link', { name: `#${M1} Beat the boss blindfolded` }).isVisible()).resolves.toBe(true);
    await loadAll(admin);
    const all = await numbersShown(admin);
    expect(all).toEqual(Array.from({ length: SEEDED + 3 }, (_, i) => SEEDED + 3 - i));
    expect(await admin.locator('.history-count').innerText()).toBe('303 missions shown');
  });

  it('filters by status and proposer, keeps the filters in the URL, and through a reload', async () => {
    await openHistory(admin);
    const form = admin.getByRole('search', { name: 'Filter missions' });
    await form.getByLabel('Status').selectOption('succeeded');
    await form.getByLabel('Proposed by').fill('Alice');
    await form.getByRole('button', { name: 'Apply filters' }).click();
    await admin.waitForURL((u) => u.search === '?status=succeeded&proposer=alice');
    await showing(admin, '?status=succeeded&proposer=alice');
    // Seeded: even and a multiple of 3 (50 of them), plus the live success.
    await loadAll(admin);
    const shown = await numbersShown(admin);
    expect(shown).toHaveLength(51);
    expect(shown[0]).toBe(M1);
    expect(shown.slice(1).every((n) => n % 6 === 0)).toBe(true);
    await admin.reload();
    await showing(admin, '?status=succeeded&proposer=alice');
    expect(await form.getByLabel('Status').inputValue()).toBe('succeeded');
    expect(await form.getByLabel('Proposed by').inputValue()).toBe('alice');
    expect((await numbersShown(admin)).slice(0, 3)).toEqual([M1, 300, 294]);
    // Back leads to the unfiltered list.
    await admin.goBack();
    await admin.waitForURL((u) => u.search === '');
    await showing(admin, '');
    expect((await numbersShown(admin))[0]).toBe(M3);
  });

  it('filters by who judged and by proposal dates; a shared link opens filtered', async () => {
    await openHistory(admin, '?judge=modmia');
    await loadAll(admin);
    expect(await list(admin).count()).toBe(100 + 2);
    expect(await admin.locator(`.history-item[data-number="${M2}"] .history-meta`).innerText()).toContain('judged by modmia');
    // 2026-11-10 holds the missions proposed 216 to 238 hours after the first: 109 to 120.
    await openHistory(admin, '?from=2026-11-10&to=2026-11-10');
    expect(await numbersShown(admin)).toEqual(Array.from({ length: 12 }, (_, i) => 120 - i));
    const form = admin.getByRole('search', { name: 'Filter missions' });
    await form.getByLabel('From').fill('2026-11-12');
    await form.getByRole('button', { name: 'Apply filters' }).click();
    await admin.getByRole('alert').filter({ hasText: 'The start date must not be after the end date.' }).waitFor();
    expect(new URL(admin.url()).search).toBe('?from=2026-11-10&to=2026-11-10');
    await form.getByRole('button', { name: 'Clear filters' }).click();
    await admin.waitForURL((u) => u.search === '');
    await showing(admin, '');
    expect(await list(admin).count()).toBe(50);
  });

  it('shows export links for the chosen month to the owner side, as plain downloads the server accepts', async () => {
    await openHistory(admin);
    const exports = admin.getByRole('region', { name: 'Exports for the accountant' });
    await exports.getByLabel('Month').fill('2026-11');
    const ledger = exports.getByRole('link', { name: /^Ledger CSV/ });
    const href = await ledger.getAttribute('href');
    expect(href).toBe(`/api/v1/channels/${CH}/exports/ledger.csv?from=2026-11-01&to=2026-12-01`);
    expect(await ledger.getAttribute('download')).not.toBeNull();
    await exports.getByLabel('From').fill('2026-11-10');
    await exports.getByLabel('To').fill('2026-11-10');
    const missionsHref = await exports.getByRole('link', { name: /^Missions CSV/ }).getAttribute('href');
    expect(missionsHref).toBe(`/api/v1/channels/${CH}/exports/missions.csv?from=2026-11-10&to=2026-11-11`);
    // The link works with the page's own cookie: 12 missions that day, plus the header.
    const csv = await admin.evaluate(async (url) => (await fetch(url, { credentials: 'same-origin' })).text(), missionsHref!);
    expect(csv.trim().split('\n')).toHaveLength(13);
  });

  it('a moderator sees the history without the export links', async () => {
    const mod = await world.newPage();
    await world.signInAsModerator(mod, CH, 'modmia');
    await openHistory(mod);
    expect(await list(mod).count()).toBe(50);
    expect(await mod.getByRole('region', { name: 'Exports for the accountant' }).count()).toBe(0);
    expect(await mod.getByRole('link', { name: /CSV/ }).count()).toBe(0);
    await mod.context().close();
  });
});

describe.skipIf(!chromiumAvailable())("a mission's page", () => {
  it('shows the figures, the timeline, the pledges and ledger rows whose totals match the ledger route', async () => {
    await admin.goto(`${world.base}/c/${CH}/missions/${M1}`);
    await admin.getByRole('heading', { level: 1, name: `#${M1} Beat the boss blindfolded` }).waitFor();
    await admin.waitForSelector('.ledger-total');
    await admin.waitForSelector('[data-trail="present"], [data-trail="absent"]');
    expect(await text(admin, '.fact-pot')).toBe('200 pts');
    const timeline = await text(admin, '.timeline');
    expect(timeline).toContain('Proposed by alice');
    expect(timeline).toContain('Judged a success by modmia');
    expect(timeline).toContain('bob pledged 40 pts');
    expect(timeline).toContain('Settled: 200 pts paid to the streamer');
    expect(await admin.locator('.pledges-table tbody tr').count()).toBe(3);
    expect(await admin.locator('.pledges-table tbody').innerText()).toContain('Paid to the streamer');

    const route = (await rest('GET', `/channels/${CH}/ledger?limit=1000`)).body.items as Array<{ id: number; amount: number; missionNumber: number | null; from: { kind: string }; to: { kind: string } }>;
    const mine = route.filter((r) => r.missionNumber === M1);
    expect(mine.map((r) => r.id)).toEqual(await admin.locator('.ledger-table tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-row')))));
    const into = mine.filter((r) => r.to.kind === 'escrow').reduce((s, r) => s + r.amount, 0);
    const out = mine.filter((r) => r.from.kind === 'escrow').reduce((s, r) => s + r.amount, 0);
    expect([into, out]).toEqual([200, 200]);
    expect(Number(await admin.getAttribute('.ledger-total', 'data-into'))).toBe(into);
    expect(Number(await admin.getAttribute('.ledger-total', 'data-out'))).toBe(out);
    expect(Number(await admin.getAttribute('.pledges-total', 'data-total'))).toBe(into);
    expect(await seriousA11yViolations(admin)).toEqual([]);
  });

  it('summarises many pledges and shows the reason of a failure', async () => {
    await admin.goto(`${world.base}/c/${CH}/missions/${M2}`);
    await admin.waitForSelector('.timeline');
    const timeline = await text(admin, '.timeline');
    expect(timeline).toContain('9 backers pledged 3,650 pts in total');
    expect(timeline).toContain('Judged failed by modmia');
    expect(timeline).toContain('Reason: too slow');
    expect(timeline).toContain('Settled: 3,650 pts refunded to the backers');
    expect(await admin.locator('.pledges-table tbody tr').count()).toBe(9);
    expect(await admin.locator('.ledger-table tbody tr').count()).toBe(18);
  });

  it('names who approved and extended, from the audit trail', async () => {
    await admin.goto(`${world.base}/c/${CH}/missions/${M3}`);
    await admin.waitForSelector('.timeline');
    const trailStatus = await admin.evaluate(async (url) => (await fetch(url, { credentials: 'same-origin' })).status, `/api/v1/channels/${CH}/activity?mission=${M3}`);
    expect(trailStatus).toBe(200);
    expect(await admin.getAttribute('[data-trail]', 'data-trail')).toBe('present');
    const timeline = await text(admin, '.timeline');
    expect(timeline).toContain('Proposed by carol');
    expect(timeline).toContain('carol pledged 30 pts');
    expect(timeline).toContain('Approved by modmia');
    expect(timeline).toContain('Deadline moved by modmia');
  });

  it('runs a mission again as the admin, for the streamer, with the edited duration, and opens the new one', async () => {
    await admin.goto(`${world.base}/c/${CH}/missions/${M1}`);
    await admin.getByRole('button', { name: 'Run again' }).click();
    const dialog = admin.getByRole('dialog', { name: `Run #${M1} again` });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`for the streamer, ${CH}`);
    expect(await dialog.getByLabel('Mission text').inputValue()).toBe('Beat the boss blindfolded');
    expect(await dialog.getByLabel('Opening amount').inputValue()).toBe('100');
    expect(await dialog.getByLabel('Time limit').inputValue()).toBe('20m');
    await dialog.getByLabel('Time limit').fill('25m');
    // A double click proposes once.
    await dialog.getByRole('button', { name: 'Confirm' }).dblclick();
    const next = SEEDED + 4;
    await admin.waitForURL(`${world.base}/c/${CH}/missions/${next}`);
    await admin.getByRole('heading', { level: 1, name: `#${next} Beat the boss blindfolded` }).waitFor();
    const created = (await rest('GET', `/channels/${CH}/missions/${next}`)).body;
    expect(created).toMatchObject({ status: 'open', durationSeconds: 1500, pot: 100, proposer: { userId: BROADCASTER_ID, login: CH } });
    expect((await rest('GET', `/channels/${CH}/missions?limit=2`)).body.items.map((m: Json) => m.number)).toEqual([next, M3]);
  });

  it('explains why the admin cannot run it again while the streamer has no known Twitch id', async () => {
    const db = world.runtime.db.db;
    await db.execute(sql`UPDATE channels SET broadcaster_id = NULL WHERE login = ${CH}`);
    try {
      await admin.goto(`${world.base}/c/${CH}/missions/${M1}`);
      const button = admin.getByRole('button', { name: 'Run again' });
      await admin.locator('#run-again-why').waitFor();
      expect(await button.getAttribute('aria-disabled')).toBe('true');
      // Playwright will not click a control that says it is disabled; a user still can.
      await button.dispatchEvent('click');
      expect(await admin.getByRole('dialog').count()).toBe(0);
    } finally {
      await db.execute(sql`UPDATE channels SET broadcaster_id = ${BROADCASTER_ID} WHERE login = ${CH}`);
    }
  });

  it('a moderator runs it again as themselves', async () => {
    const mod = await world.newPage();
    await world.signInAsModerator(mod, CH, 'modmia');
    await mod.goto(`${world.base}/c/${CH}/missions/${M3}`);
    await mod.getByRole('button', { name: 'Run again' }).click();
    const dialog = mod.getByRole('dialog');
    expect(await dialog.innerText()).toContain('You propose it as modmia');
    expect(await dialog.getByLabel('Opening amount').inputValue()).toBe('30');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const next = SEEDED + 5;
    await mod.waitForURL(`${world.base}/c/${CH}/missions/${next}`);
    const created = (await rest('GET', `/channels/${CH}/missions/${next}`)).body;
    expect(created).toMatchObject({ text: 'Sing the anthem', pot: 30, durationSeconds: 1800, proposer: { userId: modId, login: 'modmia' } });
    await mod.context().close();
    await world.expectAuditOk(CH);
  });
});

describe.skipIf(!chromiumAvailable())('phone, Korean and dark mode', () => {
  it('works on a phone: no sideways scrolling, filters and tables stacked, axe clean', async () => {
    const phone = await world.newPage({ viewport: { width: 390, height: 844 } });
    await world.signIn(phone);
    await openHistory(phone, '?proposer=alice');
    expect(await noOverflow(phone)).toBe(true);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.getByRole('link', { name: `#${M1} Beat the boss blindfolded` }).click();
    await phone.waitForSelector('.ledger-total');
    expect(await noOverflow(phone)).toBe(true);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.context().close();
  });

  it('reads in Korean with the locale grouping, axe clean', async () => {
    const ko = await world.newPage({ locale: 'ko-KR' });
    await world.signIn(ko);
    await openHistory(ko);
    expect(await ko.getByRole('heading', { level: 1 }).innerText()).toBe(`미션 기록 · ${CH}`);
    await ko.getByRole('button', { name: '필터 적용' }).waitFor();
    await ko.getByRole('button', { name: '미션 더 보기' }).waitFor();
    expect(await seriousA11yViolations(ko)).toEqual([]);
    await ko.goto(`${world.base}/c/${CH}/missions/${M2}`);
    await ko.waitForSelector('.timeline');
    expect(await text(ko, '.timeline')).toContain('후원자 9명이 총 3,650 pts 후원');
    expect(await seriousA11yViolations(ko)).toEqual([]);
    await ko.context().close();
  });

  it('is axe clean in dark mode, with the run-again dialog open', async () => {
    const dark = await world.newPage({ colorScheme: 'dark' });
    await world.signIn(dark);
    await openHistory(dark);
    expect(await seriousA11yViolations(dark)).toEqual([]);
    await dark.goto(`${world.base}/c/${CH}/missions/${M1}`);
    await dark.waitForSelector('.ledger-total');
    await dark.getByRole('button', { name: 'Run again' }).click();
    await dark.getByRole('dialog').waitFor();
    expect(await seriousA11yViolations(dark)).toEqual([]);
    await dark.context().close();
  });
});
