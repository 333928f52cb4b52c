/**
 * The public mission board (`/p/<channel>`) in a real Chromium against the whole service (real
 * tmi.js bot on the chat simulator, Postgres, Redis; Twitch's servers mocked at the edge):
 * signed out, missions proposed, approved, pledged and judged in chat appear live, with nothing
 * private in any frame or response; a viewer signs in with Twitch, sees their points, pledges from
 * the page with the same effect as a chat pledge, once per Idempotency-Key; the page works on a
 * phone, in Korean, in dark mode, axe clean; an unknown channel says so; a viewer session gets no
 * access to the moderators' board; `!missions` links the page only when the channel allows it.
 */
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';
import { startHelixMock, type HelixMock } from '../support/helix-mock.js';

const CH = 'publicchan';
let world: DashboardWorld;
let mock: HelixMock;
let overlayKey: string;

/** Records the frames of every websocket the page opens. */
const WS_PROBE = `(() => {
  const frames = [];
  window.__frames = frames;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      frames.push('open ' + String(url));
      this.addEventListener('message', (e) => frames.push(String(e.data)));
    }
  };
})()`;

const frames = (p: Page) => p.evaluate(() => (window as unknown as { __frames: string[] }).__frames);
const card = (p: Page, n: number, text: string) => p.getByRole('article', { name: `#${n} ${text}` });
const live = (p: Page) => p.waitForSelector('.public-board[data-feed="live"]');

/** Every API answer the page reads, as text. */
function recordResponses(p: Page): string[] {
  const bodies: string[] = [];
  p.on('response', (res) => {
    if (new URL(res.url()).pathname.startsWith('/api/')) void res.text().then((t) => bodies.push(`${res.url()} ${t}`), () => undefined);
  });
  return bodies;
}

const PRIVATE = () => [overlayKey, '"judge"', '"yourPledge"', '"overlayUrl"', '"overlayKey"', '"role"', '"totals"'];

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  mock = await startHelixMock();
  process.env.TWURPLE_MOCK_API_PORT = String(mock.port);
  world = await startDashboardWorld('dash_public', {
    twitch: true,
    env: { TWITCH_CLIENT_ID: 'e2e-client', TWITCH_CLIENT_SECRET: 's'.repeat(20), TOKEN_ENCRYPTION_KEY: 'k'.repeat(40) },
  });
  await world.newChannel(CH, { requireApproval: true, createCooldown: 0, maxOpenMissionsPerViewer: 5 });
  world.sim.setMod(CH, 'bob', true);
  overlayKey = (await world.runtime.services.channels.get(CH)).overlayKey;
  expect(overlayKey.length).toBeGreaterThan(10);
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  await mock?.close();
  delete process.env.TWURPLE_MOCK_API_PORT;
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('the public board', () => {
  it('signed out: chat proposals, approvals, pledges and verdicts arrive live, and nothing private is sent', async () => {
    const page = await world.newPage();
    await page.addInitScript(WS_PROBE);
    const responses = recordResponses(page);
    await page.goto(`${world.base}/p/${CH}`);
    await live(page);
    await page.getByRole('heading', { level: 1, name: `Missions · ${CH}` }).waitFor();
    expect(await page.getByRole('link', { name: 'Log in with Twitch' }).getAttribute('href')).toBe(`/auth/twitch?as=viewer&channel=${CH}`);

    await world.exchange(CH, 'alice', '!mission Beat the boss without dying 100 30m', 'proposed');
    const pending = card(page, 1, 'Beat the boss without dying');
    await pending.getByText('Awaiting a moderator’s approval').waitFor();
    expect(await pending.getByRole('button').count(), 'no pending-mission actions').toBe(0);

    await world.exchange(CH, 'bob', '!mission approve 1', '#1 is live');
    await page.locator('article[data-number="1"][data-status="open"]').waitFor();
    expect(await card(page, 1, 'Beat the boss without dying').locator('.countdown').count()).toBe(1);
    await world.exchange(CH, 'carol', '!pledge 1 200', 'carol');
    await page.waitForFunction(() => document.querySelector('article[data-number="1"] .pot-value')?.textContent === '300');
    expect(await card(page, 1, 'Beat the boss without dying').locator('.backers').innerText()).toBe('2 backers');
    await card(page, 1, 'Beat the boss without dying').locator('.top-backers', { hasText: 'carol' }).waitFor();
    expect(await page.getByRole('button').filter({ hasText: /Approve|Success|Fail|Reject|Cancel/ }).count()).toBe(0);

    await world.exchange(CH, 'bob', '!mission success 1', 'SUCCESS');
    await page.locator('.recent-item[data-number="1"][data-status="succeeded"]').waitFor();
    expect(await card(page, 1, 'Beat the boss without dying').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    const seen = await frames(page);
    expect(seen.some((f) => f.startsWith('open ') && f.includes(`/ws/public/${CH}`))).toBe(true);
    expect(seen.some((f) => f.includes('/ws/board/')), 'the moderators feed is never opened').toBe(false);
    expect(seen.filter((f) => f.includes('"type":"pledge"')).length).toBeGreaterThan(0);
    for (const text of [...seen, ...responses]) for (const secret of PRIVATE()) expect(text, text.slice(0, 200)).not.toContain(secret);
    await page.context().close();
  });

  it('a viewer signs in with Twitch, sees their points, and a pledge from the page does what a chat pledge does, once per key', async () => {
    const dora = world.sim.viewer('dora') ?? world.sim.createViewer({ login: 'dora' });
    mock.users.set(dora.userId, { id: dora.userId, login: 'dora', displayName: 'dora' });
    mock.authorizeAs = dora.userId;
    await world.exchange(CH, 'alice', '!mission Speedrun under an hour 100 30m', 'proposed');
    await world.exchange(CH, 'bob', '!mission approve 2', '#2 is live');

    const page = await world.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${world.base}/p/${CH}`);
    await live(page);
    await page.getByRole('link', { name: 'Log in with Twitch' }).click();
    await page.waitForURL(`${world.base}/p/${CH}`);
    await live(page);
    await page.getByRole('heading', { name: 'Signed in as dora' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.my-balance')?.getAttribute('data-value') === '1000');

    const channel = await world.runtime.services.channels.get(CH);
    const balance = async () => (await world.runtime.services.viewers.byLogin(channel, 'dora')).balance;
    const pot = async () => (await world.runtime.services.missions.get(channel, 2)).pot;

    // A chat pledge first: its effect is the yardstick.
    const potBefore = await pot();
    await world.exchange(CH, 'dora', '!pledge 2 100', 'dora');
    expect(await pot()).toBe(potBefore + 100);
    expect(await balance()).toBe(900);
    await page.waitForFunction(() => document.querySelector('.my-balance')?.getAttribute('data-value') === '900');

    // The same pledge from the page.
    await page.getByRole('textbox', { name: 'Amount for #2' }).fill('150');
    await page.getByRole('button', { name: 'Pledge to #2' }).click();
    await page.getByText('Pledged 150 pts to #2. You have 750 pts left.').waitFor();
    await page.waitForFunction((want) => document.querySelector('article[data-number="2"] .pot-value')?.textContent === want, String(potBefore + 250));
    expect(await pot()).toBe(potBefore + 250);
    expect(await balance()).toBe(750);
    await page.waitForFunction(() => document.querySelector('.my-balance')?.getAttribute('data-value') === '750');
    expect(await page.locator('.my-pledges li[data-mission="2"]').count()).toBe(2);
    // Both are the same kind of journal row: dora's wallet into the mission's escrow, by dora.
    const rows = await world.runtime.db.db.execute(sql`
      SELECT t.amount, t.actor, f.kind AS from_kind, f.user_id AS from_user, e.kind AS to_kind
      FROM transfers t JOIN accounts f ON f.id = t.from_account JOIN accounts e ON e.id = t.to_account
      WHERE t.kind = 'pledge' AND f.user_id = ${dora.userId} ORDER BY t.id`);
    expect(rows.rows).toEqual([
      { amount: 100, actor: `user:${dora.userId}`, from_kind: 'wallet', from_user: dora.userId, to_kind: 'escrow' },
      { amount: 150, actor: `user:${dora.userId}`, from_kind: 'wallet', from_user: dora.userId, to_kind: 'escrow' },
    ]);

    // The same Idempotency-Key twice pledges once.
    const twice = await page.evaluate(async (ch) => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const send = () =>
        fetch(`/api/v1/channels/${ch}/me/pledges`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken, 'idempotency-key': 'click-42' },
          body: JSON.stringify({ mission: 2, amount: 50 }),
        }).then(async (r) => ({ status: r.status, id: ((await r.json()) as { pledge?: { id: number } }).pledge?.id }));
      return [await send(), await send()];
    }, CH);
    expect(twice.map((r) => r.status)).toEqual([201, 200]);
    expect(twice[0]!.id).toBe(twice[1]!.id);
    expect(await balance()).toBe(700);
    const count = await world.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM pledges WHERE user_id = ${dora.userId}`);
    expect(count.rows[0]).toEqual({ n: 3 });

    // Too much: a clear message, nothing moves.
    await page.getByRole('textbox', { name: 'Amount for #2' }).fill('999999');
    await page.getByRole('button', { name: 'Pledge to #2' }).click();
    await page.locator('.notice-error').waitFor();
    expect(await balance()).toBe(700);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The viewer's session opens nothing of the moderators' board.
    await page.goto(`${world.base}/c/${CH}`);
    await page.getByRole('alert').filter({ hasText: 'You do not have access to this board.' }).waitFor();
    expect(await page.getByRole('button', { name: /Approve|Success|Fail|Pause new missions/ }).count()).toBe(0);
    const settings = await page.evaluate(async (ch) => (await fetch(`/api/v1/channels/${ch}/overlay/status`)).status, CH);
    expect(settings).toBe(403);
    await world.expectAuditOk(CH);
    await page.context().close();
  });

  it('works on a phone, in Korean and in dark mode, axe clean', async () => {
    const ko = await world.newPage({ locale: 'ko-KR', viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await ko.goto(`${world.base}/p/${CH}`);
    await ko.waitForSelector('.public-board[data-feed="live"]');
    await ko.getByRole('heading', { level: 1, name: `미션 · ${CH}` }).waitFor();
    expect(await ko.evaluate(() => document.documentElement.lang)).toBe('ko');
    await ko.getByRole('article', { name: '#2 Speedrun under an hour' }).waitFor();
    expect(await ko.locator('#open-title').innerText()).toBe('진행 중인 미션 1');
    expect(await ko.getByRole('link', { name: 'Twitch로 로그인' }).count()).toBe(1);
    expect(await ko.locator('.backers').first().innerText()).toMatch(/^\d+명 참여$/);
    expect(await ko.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(ko)).toEqual([]);
    // Dark by the toggle as well (the system preference is dark already here).
    await ko.getByRole('button', { name: '다크 모드' }).click();
    await ko.getByRole('button', { name: '다크 모드' }).click();
    expect(await ko.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await seriousA11yViolations(ko)).toEqual([]);
    await ko.context().close();
  });

  it('an unknown channel gets a clear not-found page', async () => {
    const page = await world.newPage();
    await page.goto(`${world.base}/p/nosuchchannel`);
    await page.getByRole('heading', { level: 1, name: 'Channel not found' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('nosuchchannel is not a channel');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.context().close();
  });

  it("the streamer's board links the public page with a copy button", async () => {
    const page = await world.newPage();
    await world.signIn(page);
    await page.goto(`${world.base}/c/${CH}`);
    await page.waitForSelector('.board[data-feed="live"]');
    expect(await page.getByRole('textbox', { name: 'Public board' }).inputValue()).toBe(`${world.base}/p/${CH}`);
    expect(await page.getByRole('button', { name: 'Copy: Public board' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Public board' }).getAttribute('href')).toBe(`/p/${CH}`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('!missions links the public board only when the channel setting is on', async () => {
    const off = await world.exchange(CH, 'erin', '!missions', 'Missions');
    expect(off).not.toContain('/p/');
    await world.runtime.services.channels.updateSettings(CH, { publicBoardLink: true });
    // The bot's own pause and resume make it read the channel again at once (settings included).
    await world.exchange(CH, 'bob', '!mission pause', 'paused');
    await world.exchange(CH, 'bob', '!mission resume', 'open again');
    const link = `${world.base}/p/${CH}`;
    const on = await world.exchange(CH, 'erin', '!missions', link);
    expect(on.endsWith(` ${link}`)).toBe(true);
    expect(on.length).toBeLessThanOrEqual(500);
  });
});
