/**
 * The activity page in a real Chromium against the whole service. The audit trail's own route
 * is built elsewhere, so this test stands in for that one route only: a small in-memory trail
 * behind `GET /api/v1/channels/:channel/activity`, validated with the real `ActivityQuery` schema
 * and guarded like the real routes; everything else (sessions, the app, the bundle) is real.
 * It checks the filters live in the URL, "Load more" follows the cursor, rows link to the
 * mission and viewer pages, settings changes read before → after, unknown entries do not break
 * the page, and the page works for a moderator, on a phone, in Korean and in dark mode.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireActor } from '../../server/http/auth/guards.js';
import { ActivityQuery, type ActivityEntry } from '../../server/http/schemas/activity.js';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'actchan';
let world: DashboardWorld;
let page: Page;
const queries: Array<Record<string, unknown>> = [];

const DAY = 86_400_000;
// Local midnight a few days ago: the page's date filters are whole local days.
const base = new Date();
base.setHours(0, 0, 0, 0);
const dayStart = (daysAgo: number) => new Date(base.getTime() - daysAgo * DAY);
const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const user = (login: string) => ({ kind: 'user' as const, userId: `id-${login}`, login, displayName: login === 'bob' ? 'Bobby' : login, tokenId: null });
const entry = (id: number, at: Date, fields: Partial<ActivityEntry> & Pick<ActivityEntry, 'action' | 'source' | 'actor'>): ActivityEntry => ({
  id,
  at: at.toISOString(),
  missionNumber: null,
  subject: null,
  amount: null,
  reason: null,
  details: null,
  ...fields,
});

/** Newest first by id: 55 approvals over five days, then one of each other kind, today. */
function trail(): ActivityEntry[] {
  const items: ActivityEntry[] = [];
  for (let i = 1; i <= 55; i++) {
    items.push(entry(i, new Date(dayStart(5 - Math.floor((i - 1) / 11)).getTime() + 3_600_000 + i * 60_000), { action: 'mission.approved', source: 'chat', actor: user('modmo'), missionNumber: i }));
  }
  const today = (minutes: number) => new Date(base.getTime() + 12 * 3_600_000 + minutes * 60_000);
  items.push(entry(56, today(1), { action: 'mission.proposed', source: 'chat', actor: user('alice'), missionNumber: 7, amount: 100 }));
  items.push(entry(57, today(2), { action: 'points.given', source: 'dashboard', actor: user('modmo'), subject: user('bob'), amount: 500, reason: 'raffle <b>prize</b>' }));
  items.push(
    entry(58, today(3), {
      action: 'settings.changed',
      source: 'dashboard',
      actor: { kind: 'admin', userId: null, login: null, displayName: null, tokenId: null },
      details: {
        changes: [
          { key: 'minStake', before: 10, after: 50 },
          { key: 'defaultDuration', before: 1800, after: 5400 },
          { key: 'maxPledge', before: null, after: 1000 },
          { key: 'accrual', before: { enabled: true, amount: 10 }, after: { enabled: false, amount: 10 } },
        ],
      },
    }),
  );
  items.push(entry(59, today(4), { action: 'token.issued', source: 'api', actor: { kind: 'token', userId: null, login: null, displayName: null, tokenId: 3 }, details: { tokenId: 4, role: 'moderator' } }));
  items.push(entry(60, today(5), { action: 'mission.expired', source: 'worker', actor: { kind: 'system', userId: null, login: null, displayName: null, tokenId: null }, missionNumber: 2 }));
  // From a newer server: an action this page does not know, with odd details.
  items.push(entry(61, today(6), { action: 'mission.teleported' as ActivityEntry['action'], source: 'cli', actor: user('alice'), details: { changes: 'not a list' } }));
  return items.reverse();
}

/** Stands in for the audit trail's route until it is merged: the real query schema and guard, an in-memory trail. */
const fakeActivityRoute: FastifyPluginAsync = async (app) => {
  const items = trail();
  app.get<{ Params: { channel: string }; Querystring: Static<typeof ActivityQuery> }>(
    '/api/v1/channels/:channel/activity',
    { schema: { querystring: ActivityQuery } },
    async (request) => {
      const channel = await world.runtime.services.channels.get(request.params.channel);
      requireActor(request, channel);
      const q = request.query;
      queries.push({ ...q });
      const since = q.since ? new Date(q.since).getTime() : -Infinity;
      const until = q.until ? new Date(q.until).getTime() : Infinity;
      const after = q.cursor ? Number(q.cursor) : Infinity;
      const matching = items.filter(
        (e) =>
          e.id < after &&
          (!q.action || e.action === q.action) &&
          (!q.source || e.source === q.source) &&
          (!q.actor || e.actor.login === q.actor) &&
          (!q.mission || e.missionNumber === q.mission) &&
          new Date(e.at).getTime() >= since &&
          new Date(e.at).getTime() < until,
      );
      const limit = q.limit ?? 50;
      const pageItems = matching.slice(0, limit);
      return { items: pageItems, nextCursor: matching.length > limit ? String(pageItems.at(-1)!.id) : null };
    },
  );
};

const rows = (p: Page) => p.locator('.activity-item');
const row = (p: Page, id: number) => p.locator(`.activity-item[data-id="${id}"]`);

async function openActivity(p: Page, search = ''): Promise<void> {
  await p.goto(`${world.base}/c/${CH}/activity${search}`);
  await p.locator('.activity-list, .activity-page .card p.muted').first().waitFor();
}

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_activity', { plugins: [fakeActivityRoute] });
  await world.newChannel(CH, { currencyName: 'gems' });
  page = await world.newPage();
  await world.signIn(page);
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('the activity page', () => {
  it('shows the newest 50, then more on "Load more", each entry saying who, what, when and from where', async () => {
    await openActivity(page);
    await page.getByText('50 entries shown').waitFor();
    expect(await rows(page).count()).toBe(50);
    expect(await rows(page).first().getAttribute('data-id')).toBe('61');
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('61 entries shown').waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    expect(queries.at(-1)).toMatchObject({ cursor: '12', limit: 50 });

    const given = row(page, 57);
    expect(await given.locator('.activity-action').innerText()).toBe('Points given');
    expect(await given.locator('.chip').innerText()).toBe('Dashboard');
    expect(await given.innerText()).toContain('amount 500 gems');
    // Text from chat stays text.
    expect(await given.locator('.activity-reason').innerText()).toBe('“raffle <b>prize</b>”');
    expect(await given.locator('b').count()).toBe(0);
    expect(await given.getByRole('link', { name: 'Bobby' }).getAttribute('href')).toBe(`/c/${CH}/viewers/bob`);
    expect(await given.getByRole('link', { name: 'modmo' }).getAttribute('href')).toBe(`/c/${CH}/viewers/modmo`);

    expect(await row(page, 59).innerText()).toContain('by API token #3');
    expect(await row(page, 59).innerText()).toContain('token #4 (moderator)');
    expect(await row(page, 60).innerText()).toContain('by the system');
    expect(await row(page, 60).locator('.chip').innerText()).toBe('Timer (worker)');
    expect(await row(page, 61).locator('.activity-action').innerText()).toBe('mission.teleported');
  });

  it('a settings change reads before → after, in the form the settings page uses', async () => {
    const changes = row(page, 58).getByRole('list', { name: 'Changed settings' });
    expect(await changes.locator('li').allInnerTexts()).toEqual([
      'Smallest pledge: 10 → 50',
      'Default time limit: 30m → 1h30m',
      'Largest pledge: no limit → 1,000',
      'Earn points by watching: on → off',
    ]);
    expect(await row(page, 58).innerText()).toContain('by the admin');
  });

  it('a row links to its mission page', async () => {
    await row(page, 56).getByRole('link', { name: 'Mission #7' }).click();
    await page.waitForURL(`${world.base}/c/${CH}/missions/7`);
    await page.goBack();
    await page.waitForURL(`${world.base}/c/${CH}/activity`);
    await page.getByText('50 entries shown').waitFor();
  });

  it('filters go into the URL and the query; a shared URL opens filtered; Back undoes the filter', async () => {
    await page.getByLabel('Action').selectOption('mission.approved');
    await page.getByLabel('Where from').selectOption('chat');
    await page.getByLabel('Person (Twitch login)').fill('@ModMo');
    await page.getByLabel('Mission number').fill('12');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('1 entry shown').waitFor();
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ action: 'mission.approved', source: 'chat', actor: '@ModMo', mission: '12' });
    expect(queries.at(-1)).toEqual({ action: 'mission.approved', source: 'chat', actor: 'modmo', mission: 12, limit: 50 });
    expect(await rows(page).first().getAttribute('data-id')).toBe('12');

    await openActivity(page, url.search);
    await page.getByText('1 entry shown').waitFor();
    expect(await page.getByLabel('Mission number').inputValue()).toBe('12');
    expect(await page.getByLabel('Action').inputValue()).toBe('mission.approved');

    await page.getByLabel('Mission number').fill('x1');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('A mission number is a whole number from 1.').waitFor();
    expect(new URL(page.url()).searchParams.get('mission')).toBe('12');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('50 entries shown').waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.goBack();
    await page.getByText('1 entry shown').waitFor();
    expect(await page.getByLabel('Mission number').inputValue()).toBe('12');
  });

  it('a date range covers whole local days, the last one included', async () => {
    await openActivity(page);
    await page.getByLabel('From date').fill(localDate(dayStart(4)));
    await page.getByLabel('To date (inclusive)').fill(localDate(dayStart(3)));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('22 entries shown').waitFor();
    const ids = (await rows(page).evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-id'))))).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 22 }, (_, i) => 12 + i));
    expect(queries.at(-1)).toMatchObject({ since: dayStart(4).toISOString(), until: dayStart(2).toISOString() });
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('50 entries shown').waitFor();
  });

  it('a moderator reads it too; on a phone, in Korean and dark mode it has no serious accessibility violations', async () => {
    expect(await seriousA11yViolations(page)).toEqual([]);
    const phone = await world.newPage({ locale: 'ko-KR', viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await world.signInAsModerator(phone, CH, 'modmo');
    await openActivity(phone, '?action=settings.changed');
    await phone.getByText('1개 표시').waitFor();
    expect(await row(phone, 58).locator('.activity-action').innerText()).toBe('설정 변경');
    expect(await row(phone, 58).locator('.activity-changes li').first().innerText()).toBe('최소 참여 금액: 10 → 50');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.context().close();
  });
});
