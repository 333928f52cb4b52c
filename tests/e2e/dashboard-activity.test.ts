/**
 * The activity page in a real Chromium against the whole service and the real audit trail route
 * (`GET /api/v1/channels/:channel/activity`). The trail is seeded with entries spread over five
 * days (the repository's insert, with their times set), after the channel's own creation entry.
 * It checks the filters live in the URL, "Load more" follows the cursor, rows link to the
 * mission and viewer pages, settings changes read before → after, unknown entries do not break
 * the page, and the page works for a moderator, on a phone, in Korean and in dark mode.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertActivity, type NewActivityRow } from '../../server/repositories/activity-repository.js';
import type { ActivityEntry } from '../../server/http/schemas/activity.js';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'actchan';
let world: DashboardWorld;
let page: Page;
/** The query of each activity request the pages made, as the server received it. */
const queries: Array<Record<string, string>> = [];
/** The database id of the n-th seeded entry (1-based): the seed follows the channel's own entry. */
let firstId = 0;
const id = (n: number) => firstId + n - 1;

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
  // Details of a shape this page does not expect must not break it.
  items.push(entry(61, today(6), { action: 'channel.paused', source: 'cli', actor: user('alice'), details: { changes: 'not a list' } }));
  return items;
}

/** Writes the seeded entries, oldest first, into the channel's trail; returns the first one's id. */
async function seedTrail(channelId: number): Promise<number> {
  const person = (prefix: 'actor' | 'subject', p: ActivityEntry['actor'] | null) =>
    p === null
      ? {}
      : prefix === 'actor'
        ? { actorKind: p.kind, actorUserId: p.userId, actorLogin: p.login, actorDisplayName: p.displayName, actorTokenId: p.tokenId }
        : { subjectUserId: p.userId, subjectLogin: p.login, subjectDisplayName: p.displayName };
  const rows: NewActivityRow[] = trail().map((e) => ({
    channelId,
    at: new Date(e.at),
    action: e.action,
    source: e.source,
    ...person('actor', e.actor),
    ...person('subject', e.subject),
    missionNumber: e.missionNumber,
    amount: e.amount,
    reason: e.reason,
    details: e.details,
  })) as NewActivityRow[];
  await insertActivity(world.runtime.db.db, rows);
  const { rows: first } = await world.runtime.db.pool.query<{ id: string }>(
    'SELECT min(id) AS id FROM activity WHERE channel_id = $1 AND action <> $2',
    [channelId, 'channel.created'],
  );
  return Number(first[0]!.id);
}

const rows = (p: Page) => p.locator('.activity-item');
/** The row of the n-th seeded entry. */
const row = (p: Page, n: number) => p.locator(`.activity-item[data-id="${id(n)}"]`);

/** Records the query of every activity request a page makes. */
function watchQueries(p: Page): void {
  p.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith('/activity') && url.pathname.startsWith('/api/')) queries.push(Object.fromEntries(url.searchParams));
  });
}

async function openActivity(p: Page, search = ''): Promise<void> {
  await p.goto(`${world.base}/c/${CH}/activity${search}`);
  await p.locator('.activity-list, .activity-page .card p.muted').first().waitFor();
}

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_activity');
  await world.newChannel(CH, { currencyName: 'gems' });
  firstId = await seedTrail((await world.runtime.services.channels.get(CH)).id);
  page = await world.newPage();
  watchQueries(page);
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
    expect(await rows(page).first().getAttribute('data-id')).toBe(String(id(61)));
    await page.getByRole('button', { name: 'Load more' }).click();
    // The 61 seeded entries and the channel's creation.
    await page.getByText('62 entries shown').waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    expect(queries.at(-1)).toMatchObject({ limit: '50' });
    expect(queries.at(-1)?.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await rows(page).last().locator('.activity-action').innerText()).toBe('Channel created');

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
    expect(await row(page, 61).locator('.activity-action').innerText()).toBe('New missions paused');
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
    expect(queries.at(-1)).toEqual({ action: 'mission.approved', source: 'chat', actor: 'modmo', mission: '12', limit: '50' });
    expect(await rows(page).first().getAttribute('data-id')).toBe(String(id(12)));

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
    expect(ids).toEqual(Array.from({ length: 22 }, (_, i) => id(12 + i)));
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
