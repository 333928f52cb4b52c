/**
 * The viewers pages in a real Chromium against the whole service (real tmi.js bot on the chat
 * simulator, Postgres, Redis): search as you type by login and by Korean display name, the
 * leaderboard in the API's order, a viewer's page that agrees with the REST reads, give and take
 * with a required reason behind a confirmation (and the server's refusal shown beside the field,
 * changing nothing), a moderator's session, a phone, Korean in dark mode, and axe on every page.
 */
import type { Page } from 'playwright-core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'viewerdash';
let world: DashboardWorld;
let page: Page;

interface ApiViewer {
  userId: string;
  login: string;
  displayName: string;
  balance: number;
  inEscrow: number;
}
interface ApiLedgerRow {
  id: number;
  kind: string;
  amount: number;
  from: { userId: string | null };
  to: { userId: string | null };
}

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${world.base}/api/v1/channels/${CH}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const viewerOf = (login: string) => api<ApiViewer>(`/viewers/${login}`);
const journalSize = async () =>
  Number(((await world.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM transfers`)).rows[0] as { n: number }).n);

/** The logins the search list shows, in order. */
const shownResults = (p: Page) => p.locator('.viewer-list .viewer-link').evaluateAll((els) => els.map((e) => e.getAttribute('data-login')));

async function searchFor(p: Page, text: string): Promise<void> {
  const box = p.getByRole('searchbox', { name: /Search viewers|시청자 검색/ });
  await box.fill('');
  await box.pressSequentially(text);
  await p.waitForFunction((q) => {
    const status = document.querySelector('.search-status');
    return status?.getAttribute('data-state') === 'done' && status.getAttribute('data-q') === q;
  }, text);
}

async function openViewer(p: Page, login: string): Promise<void> {
  await p.goto(`${world.base}/c/${CH}/viewers/${login}`);
  await p.locator('.viewer-balance').waitFor();
}

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_viewers');
  await world.newChannel(CH, { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 5, currencyName: 'gems', minStake: 10 });
  world.sim.createViewer({ login: 'kimchi_lover', displayName: '김치러버' });
  world.sim.createViewer({ login: 'seoul_guy', displayName: '김서울' });
  world.sim.createViewer({ login: 'kimberly', displayName: 'Kimberly' });
  await world.exchange(CH, 'alice', '!mission Beat the boss blindfolded 100', /^#1 .* is live/);
  await world.exchange(CH, 'kimchi_lover', '!pledge 1 300', /kimchi_lover|김치러버/);
  await world.exchange(CH, 'seoul_guy', '!pledge 1 50', /seoul_guy|김서울/);
  await world.exchange(CH, 'kimberly', '!pledge 1 10', /kimberly|Kimberly/);
  await world.exchange(CH, 'kimberly', '!mission Speedrun under an hour 20', /^#2 .* is live/);
  await world.exchange(CH, 'kimchi_lover', '!pledge 2 40', /kimchi_lover|김치러버/);
  // Mission 2 fails: its pledges are refunded, so the viewer page shows a settled pledge too.
  const channel = await world.runtime.services.channels.get(CH);
  await world.runtime.services.verdicts.act(channel, 2, 'fail', { kind: 'admin' }, {});
  for (let i = 0; i < 200 && !(await world.runtime.services.missions.get(channel, 2)).settled; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await world.runtime.services.missions.get(channel, 2)).settled).toBe(true);
  page = await world.newPage();
  await world.signIn(page);
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  if (world) await world.expectAuditOk(CH);
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('the viewers pages', () => {
  it('searches as you type by login, debounced: fewer requests than keystrokes, login matches first', async () => {
    await page.goto(`${world.base}/c/${CH}/viewers`);
    await page.getByRole('heading', { name: `Viewers · ${CH}` }).waitFor();
    const searches: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().includes(`/api/v1/channels/${CH}/viewers?`)) searches.push(r.url());
    };
    page.on('request', onRequest);
    await searchFor(page, 'Kimchi_Lover');
    page.off('request', onRequest);
    // Twelve keystrokes, typed without pauses: the search waits for the typing to stop.
    expect(searches.length).toBeGreaterThan(0);
    expect(searches.length).toBeLessThan(6);
    expect(new URL(searches.at(-1)!).searchParams.get('q')).toBe('Kimchi_Lover');
    expect(await shownResults(page)).toEqual(['kimchi_lover']);
    await searchFor(page, 'KIM');
    expect(await shownResults(page)).toEqual(['kimberly', 'kimchi_lover']);
    expect(await page.locator('.search-status').innerText()).toBe('2 viewers found');
    const kimchi = page.locator('.viewer-list .viewer-link[data-login="kimchi_lover"]');
    expect(await kimchi.innerText()).toContain('김치러버');
    expect(await kimchi.locator('.balance').innerText()).toBe('700 gems');
    await searchFor(page, 'nobody');
    expect(await shownResults(page)).toEqual([]);
    expect(await page.locator('.search-status').innerText()).toBe('No viewer\'s name starts with "nobody".');
  });

  it('searches by Korean display name', async () => {
    await searchFor(page, '김');
    expect(await shownResults(page)).toEqual(['seoul_guy', 'kimchi_lover']);
    await searchFor(page, '김치');
    expect(await shownResults(page)).toEqual(['kimchi_lover']);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('shows the leaderboard in the order of GET /leaderboard, balances grouped, with the currency', async () => {
    const board = await api<{ items: ApiViewer[] }>('/leaderboard?limit=25');
    expect(board.items.map((v) => v.login)).toEqual(['kimberly', 'seoul_guy', 'alice', 'kimchi_lover']);
    const rows = page.locator('.leaderboard li');
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-login')))).toEqual(board.items.map((v) => v.login));
    expect(await rows.first().locator('.balance').innerText()).toBe('990 gems');
    expect(await rows.first().locator('.rank').innerText()).toBe('1');
  });

  it("a viewer's page agrees with GET /viewers/:login and GET /ledger: balance, escrow, pledges, ledger rows", async () => {
    await page.locator('.leaderboard .viewer-link[data-login="kimchi_lover"]').click();
    await page.waitForURL(`**/c/${CH}/viewers/kimchi_lover`);
    await page.locator('.viewer-balance').waitFor();
    const viewer = await viewerOf('kimchi_lover');
    expect(viewer).toMatchObject({ displayName: '김치러버', balance: 700, inEscrow: 300 });
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('김치러버 @kimchi_lover');
    expect(await page.locator('.viewer-balance').innerText()).toBe('700 gems');
    expect(await page.locator('.viewer-escrow').innerText()).toBe('300 gems');

    const pledges = page.locator('.pledges-table tbody tr');
    expect(await pledges.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-mission')}:${e.getAttribute('data-settlement')}`))).toEqual(['2:refunded', '1:pending']);
    expect(await pledges.first().innerText()).toContain('Speedrun under an hour');
    expect(await pledges.first().innerText()).toContain('Refunded');

    const all = (await api<{ items: ApiLedgerRow[] }>('/ledger?limit=1000')).items;
    const mine = all.filter((r) => r.from.userId === viewer.userId || r.to.userId === viewer.userId);
    expect(mine.map((r) => r.kind)).toEqual(['starting_balance', 'pledge', 'pledge', 'refund']);
    const shown = await page.locator('.ledger-table tbody tr').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-id')), Number(e.getAttribute('data-amount'))]));
    expect(shown).toEqual(mine.map((r) => [r.id, r.to.userId === viewer.userId ? r.amount : -r.amount]));
    // Signed sums of the rows make the balance.
    expect(shown.reduce((sum, [, amount]) => sum + amount!, 0)).toBe(viewer.balance);
    expect(await page.locator('.ledger-table tbody tr').first().innerText()).toContain('Starting balance');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('an unknown viewer gets a plain message, not a broken page', async () => {
    await page.goto(`${world.base}/c/${CH}/viewers/nobody_here`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toBe('No viewer called nobody_here in this channel.');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('nobody_here');
    expect(await page.getByRole('textbox', { name: 'Reason' }).count()).toBe(0);
  });

  it('gives points with a reason after a confirmation; without a reason the page refuses and sends nothing', async () => {
    await openViewer(page, 'seoul_guy');
    const before = await viewerOf('seoul_guy');
    const writes: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') writes.push(r.url());
    });
    await page.getByRole('textbox', { name: 'Amount' }).fill('250');
    await page.getByRole('button', { name: 'Give' }).click();
    expect(await page.locator('.field-error[data-field="reason"]').innerText()).toBe('Enter a reason.');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(writes).toEqual([]);

    await page.getByRole('textbox', { name: 'Reason' }).fill('Won the raffle');
    await page.getByRole('button', { name: 'Give' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('Give 250 gems to 김서울?');
    expect(await dialog.innerText()).toContain('Balance 950 gems → 1,200 gems');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForFunction(() => document.querySelector('.viewer-balance')?.getAttribute('data-value') === '1200');
    expect(await page.locator('.viewer-balance').innerText()).toBe('1,200 gems');
    expect((await viewerOf('seoul_guy')).balance).toBe(before.balance + 250);
    await page.locator('.ledger-table tbody tr[data-kind="grant"][data-amount="250"]').waitFor();
    expect(writes).toHaveLength(1);
    expect(await page.getByRole('textbox', { name: 'Reason' }).inputValue()).toBe('');
  });

  it('takes points; taking more than the balance shows the server message beside the amount and changes nothing', async () => {
    await page.getByRole('textbox', { name: 'Amount' }).fill('200');
    await page.getByRole('textbox', { name: 'Reason' }).fill('Spam in chat');
    await page.getByRole('button', { name: 'Take' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.waitForFunction(() => document.querySelector('.viewer-balance')?.getAttribute('data-value') === '1000');
    expect((await viewerOf('seoul_guy')).balance).toBe(1000);

    const rows = await journalSize();
    await page.getByRole('textbox', { name: 'Amount' }).fill('5000');
    await page.getByRole('textbox', { name: 'Reason' }).fill('Far too much');
    await page.getByRole('button', { name: 'Take' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const error = page.locator('.field-error[data-field="amount"]');
    await error.waitFor();
    expect(await error.innerText()).toBe('Balance 1000 is less than 5000');
    expect(await page.getByRole('textbox', { name: 'Amount' }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.locator('.viewer-balance').getAttribute('data-value')).toBe('1000');
    expect((await viewerOf('seoul_guy')).balance).toBe(1000);
    expect(await journalSize()).toBe(rows);
  });

  it("a moderator's Twitch session searches and gives too", async () => {
    const mod = await world.newPage();
    await world.signInAsModerator(mod, CH, 'modmary');
    await mod.goto(`${world.base}/c/${CH}/viewers`);
    await searchFor(mod, 'kimb');
    expect(await shownResults(mod)).toEqual(['kimberly']);
    await mod.locator('.viewer-list .viewer-link').first().click();
    await mod.locator('.viewer-balance').waitFor();
    const before = (await viewerOf('kimberly')).balance;
    await mod.getByRole('textbox', { name: 'Amount' }).fill('15');
    await mod.getByRole('textbox', { name: 'Reason' }).fill('Good question');
    await mod.getByRole('button', { name: 'Give' }).click();
    await mod.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await mod.waitForFunction((v) => document.querySelector('.viewer-balance')?.getAttribute('data-value') === String(v), before + 15);
    expect((await viewerOf('kimberly')).balance).toBe(before + 15);
    await mod.context().close();
  });

  it('on a phone (390×844): no horizontal scroll, controls at least 44 px, axe clean, on both pages', async () => {
    const phone = await world.newPage({ viewport: { width: 390, height: 844 } });
    await world.signIn(phone);
    await phone.goto(`${world.base}/c/${CH}/viewers`);
    await phone.locator('.leaderboard li').first().waitFor();
    await searchFor(phone, 'kim');
    for (const step of ['list', 'viewer']) {
      if (step === 'viewer') await openViewer(phone, 'kimchi_lover');
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), step).toBeLessThanOrEqual(390);
      const small = await phone.$$eval('button, a.btn, select, input, .viewer-link', (els) =>
        els
          .map((e) => ({ name: (e as HTMLElement).innerText || e.getAttribute('aria-label') || e.id || e.tagName, r: e.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && (r.height < 44 || r.width < 44))
          .map(({ name, r }) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`),
      );
      expect(small, step).toEqual([]);
      expect(await seriousA11yViolations(phone), step).toEqual([]);
    }
    await phone.context().close();
  });

  it('in Korean and dark mode: translated controls, grouped numbers, Korean search, axe clean', async () => {
    const ko = await world.newPage({ locale: 'ko-KR', colorScheme: 'dark' });
    await world.signIn(ko);
    await ko.goto(`${world.base}/c/${CH}/viewers`);
    await ko.getByRole('heading', { name: `시청자 · ${CH}` }).waitFor();
    await ko.getByRole('heading', { name: '순위표' }).waitFor();
    await searchFor(ko, '김치');
    expect(await shownResults(ko)).toEqual(['kimchi_lover']);
    expect(await ko.locator('.search-status').innerText()).toBe('1명 찾음');
    expect(await seriousA11yViolations(ko)).toEqual([]);
    await openViewer(ko, 'seoul_guy');
    expect(await ko.locator('.viewer-balance').innerText()).toBe('1,000 gems');
    expect(await ko.getByRole('textbox', { name: '사유' }).count()).toBe(1);
    expect(await ko.getByRole('button', { name: '지급' }).count()).toBe(1);
    expect(await ko.getByRole('heading', { name: '원장' }).count()).toBe(1);
    expect(await ko.locator('.ledger-table tbody tr[data-kind="grant"]').innerText()).toContain('모더레이터 지급');
    expect(await ko.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 17, 23)');
    expect(await seriousA11yViolations(ko)).toEqual([]);
    await ko.context().close();
  });
});
