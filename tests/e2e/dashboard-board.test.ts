/**
 * The live board in a real Chromium against the whole service (real tmi.js bot on the chat
 * simulator, Postgres, Redis): a proposal typed in chat appears and is approved from the board,
 * pledges typed in chat arrive pushed (no reload, no polling), a confirmed verdict moves the
 * treasury, two moderators racing on one verdict pay once, a dropped feed resumes from its
 * sequence number without losing a pledge, and the board works on a phone and in Korean.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'boardchan';
let world: DashboardWorld;
let page: Page;

/** Records every websocket the page opens and its frames; `hold` makes new ones fail to connect. */
const WS_PROBE = `(() => {
  const probe = { urls: [], sockets: [], frames: [], hold: false };
  window.__ws = probe;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(probe.hold ? String(url).replace('/ws/', '/ws-held/') : url, protocols);
      const index = probe.urls.push(String(url)) - 1;
      probe.sockets.push(this);
      this.addEventListener('message', (e) => probe.frames.push({ socket: index, data: String(e.data) }));
    }
  };
})()`;

interface Probe {
  urls: string[];
  frames: Array<{ socket: number; data: string }>;
}
const probe = (p: Page) => p.evaluate(() => (window as unknown as { __ws: Probe }).__ws);

const mission = (p: Page, n: number, text: string) => p.getByRole('article', { name: `#${n} ${text}` });
const treasury = (p: Page) => p.locator('.treasury');
const live = (p: Page) => p.waitForSelector('.board[data-feed="live"]');

async function openBoard(p: Page): Promise<void> {
  await p.goto(`${world.base}/c/${CH}`);
  await live(p);
}

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_board');
  await world.newChannel(CH, { requireApproval: true, createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50 });
  world.sim.setMod(CH, 'bob', true);
  page = await world.newPage();
  await page.addInitScript(WS_PROBE);
  await world.signIn(page);
  await openBoard(page);
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('the live board', () => {
  it('signed out, without a Twitch app: no Twitch button, only the sign-in link steps, also on a board URL', async () => {
    const anonymous = await world.newPage();
    await anonymous.goto(world.base);
    await anonymous.getByText('npm run login-link').waitFor();
    expect(await anonymous.getByRole('link', { name: 'Log in with Twitch' }).count()).toBe(0);
    await anonymous.goto(`${world.base}/c/${CH}`);
    await anonymous.getByText('npm run login-link').waitFor();
    expect(await anonymous.locator('.board').count()).toBe(0);
    await anonymous.context().close();
  });

  it('shows a mission proposed in chat without a reload, and approving it on the board opens it in chat', async () => {
    await world.exchange(CH, 'alice', '!mission Beat the boss without dying 100 30m', 'proposed');
    const card = mission(page, 1, 'Beat the boss without dying');
    const opened = world.sim.waitForBotMessage(CH, /^#1 is live!/, 8_000);
    await card.getByRole('button', { name: 'Approve' }).click();
    await opened;
    await card.getByRole('button', { name: 'Success' }).waitFor();
    expect((await world.runtime.services.missions.get(await world.runtime.services.channels.get(CH), 1)).status).toBe('open');
    const shown = await card.locator('.countdown-text').innerText();
    expect(shown).toMatch(/^(30:00|29:\d\d) left$/);
    // It counts down by itself.
    await page.waitForFunction((before) => {
      const now = document.querySelector('article[data-number="1"] .countdown-text')?.textContent;
      return now !== before && /^29:\d\d left$/.test(now ?? '');
    }, shown);
  });

  it('a pledge typed in chat appears on the board, pushed: no reload and no polling request', async () => {
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    const reads: string[] = [];
    const onRequest = (r: { url(): string; method(): string }) => {
      if (r.method() === 'GET' && r.url().includes('/api/')) reads.push(r.url());
    };
    page.on('request', onRequest);
    await world.exchange(CH, 'carol', '!pledge 1 250', 'carol');
    await page.waitForFunction(() => document.querySelector('article[data-number="1"] .pot-value')?.textContent === '350');
    page.off('request', onRequest);
    expect(reads).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    expect(await mission(page, 1, 'Beat the boss without dying').locator('.backers').innerText()).toBe('2 backers');
  });

  it('a dropped feed reconnects with since=<seq> and shows the pledge made while it was away', async () => {
    const before = await probe(page);
    const lastSeq = Number(await page.getAttribute('.board', 'data-seq'));
    expect(lastSeq).toBeGreaterThan(0);
    await page.evaluate(() => {
      const ws = (window as unknown as { __ws: { hold: boolean; sockets: WebSocket[] } }).__ws;
      ws.hold = true;
      ws.sockets.at(-1)!.close();
    });
    await page.waitForSelector('.board[data-feed="reconnecting"]');
    await world.exchange(CH, 'dave', '!pledge 1 650', 'dave');
    await page.evaluate(() => ((window as unknown as { __ws: { hold: boolean } }).__ws.hold = false));
    await page.waitForFunction(() => document.querySelector('article[data-number="1"] .pot-value')?.textContent === '1,000');
    await live(page);
    const after = await probe(page);
    const resumed = after.urls.slice(before.urls.length).at(-1)!;
    expect(new URL(resumed).searchParams.get('since')).toBe(String(lastSeq));
    // The missed pledge came as a replay, not as a fresh snapshot.
    const resumedIndex = after.urls.lastIndexOf(resumed);
    const first = after.frames.find((f) => f.socket === resumedIndex);
    expect(first && JSON.parse(first.data).type).not.toBe('snapshot');
  });

  it('a verdict asks for confirmation, then moves the treasury on the board', async () => {
    expect(await treasury(page).getAttribute('data-value')).toBe('0');
    const card = mission(page, 1, 'Beat the boss without dying');
    await card.getByRole('button', { name: 'Success' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('1,000 pts go to the streamer');
    // Backing out changes nothing.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await world.runtime.services.channels.totals((await world.runtime.services.channels.get(CH)).id)).treasury).toBe(0);

    await card.getByRole('button', { name: 'Success' }).click();
    expect(await seriousA11yViolations(page)).toEqual([]);
    const announced = world.sim.waitForBotMessage(CH, '#1 SUCCESS! 1,000 pts go to the streamer', 8_000);
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.waitForFunction(() => document.querySelector('.treasury')?.getAttribute('data-value') === '1000');
    expect(await treasury(page).innerText()).toBe('1,000 pts');
    await announced;
    await page.locator('.recent-item[data-number="1"][data-status="succeeded"]').waitFor();
    expect(await mission(page, 1, 'Beat the boss without dying').count()).toBe(0);
    await world.expectAuditOk(CH);
  });

  it('two moderators confirm the same verdict at once: one wins, the other is told, refunds are paid once', async () => {
    await world.exchange(CH, 'erin', '!mission Speedrun under an hour 200 30m', 'proposed');
    await world.exchange(CH, 'bob', '!mission approve 2', '#2 is live');
    await world.exchange(CH, 'frank', '!pledge 2 300', 'frank');
    const other = await world.newPage();
    await world.signIn(other);
    await openBoard(other);
    for (const p of [page, other]) {
      await mission(p, 2, 'Speedrun under an hour').getByRole('button', { name: 'Fail' }).click();
      await p.getByRole('dialog').waitFor();
    }
    await Promise.all([page, other].map((p) => p.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click()));
    await Promise.all([page, other].map((p) => p.locator('.recent-item[data-number="2"][data-status="failed"]').waitFor()));
    const notices = await Promise.all([page, other].map((p) => p.locator('.notice').innerText()));
    expect(notices.filter((t) => t.includes('#2 failed — 2 backers refunded 500 pts'))).toHaveLength(1);
    expect(notices.filter((t) => t.includes('already judged by someone else'))).toHaveLength(1);
    const channel = await world.runtime.services.channels.get(CH);
    expect((await world.runtime.services.viewers.byLogin(channel, 'erin')).balance).toBe(1_000);
    expect((await world.runtime.services.viewers.byLogin(channel, 'frank')).balance).toBe(1_000);
    await world.expectAuditOk(CH);
    await other.context().close();
  });

  it('a moderator who pledged to a mission cannot judge it: Success and Fail are disabled and say why', async () => {
    await world.exchange(CH, 'ivan', '!mission Clear the dungeon solo 100 30m', 'proposed');
    await world.exchange(CH, 'bob', '!mission approve 3', '#3 is live');
    await world.exchange(CH, 'bob', '!pledge 3 100', 'bob');
    const mod = await world.newPage();
    await world.signInAsModerator(mod, CH, 'bob');
    await openBoard(mod);
    const card = mission(mod, 3, 'Clear the dungeon solo');
    for (const name of ['Success', 'Fail']) {
      const button = card.getByRole('button', { name });
      expect(await button.isDisabled()).toBe(true);
      const why = await button.getAttribute('aria-describedby');
      expect(await mod.locator(`#${why}`).innerText()).toBe('You pledged to this mission, so another moderator or the streamer must judge it.');
    }
    await card.getByRole('button', { name: 'Success' }).click({ force: true });
    expect(await mod.getByRole('dialog').count()).toBe(0);
    // Cancelling refunds everyone, so the rule does not bar it; the admin may still judge.
    expect(await card.getByRole('button', { name: 'Cancel mission' }).isDisabled()).toBe(false);
    expect(await mission(page, 3, 'Clear the dungeon solo').getByRole('button', { name: 'Success' }).isDisabled()).toBe(false);
    await mod.context().close();
  });

  it('Extend asks how long, then moves the deadline on the server and on the card', async () => {
    const before = (await world.runtime.services.missions.get(await world.runtime.services.channels.get(CH), 3)).deadline!;
    const card = mission(page, 3, 'Clear the dungeon solo');
    await card.getByRole('button', { name: 'Extend' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: '+30m' }).check();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.waitFor({ state: 'detached' });
    const after = (await world.runtime.services.missions.get(await world.runtime.services.channels.get(CH), 3)).deadline!;
    expect(Date.parse(after) - Date.parse(before)).toBe(30 * 60_000);
    await page.waitForFunction(() => /^(59|60):\d\d left$/.test(document.querySelector('article[data-number="3"] .countdown-text')?.textContent ?? ''));
  });

  it('rejecting a proposal asks for a reason in a text box named Reason and refunds the proposer', async () => {
    await world.exchange(CH, 'judy', '!mission Play blindfolded 100', 'proposed');
    const card = mission(page, 4, 'Play blindfolded');
    await card.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Not safe for the stream');
    const announced = world.sim.waitForBotMessage(CH, /^#4 .*rejected|^#4 .*거절/i, 8_000);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('.recent-item[data-number="4"][data-status="rejected"]').waitFor();
    expect(await page.locator('.recent-item[data-number="4"] .recent-reason').innerText()).toBe('Reason: Not safe for the stream');
    await announced;
    const channel = await world.runtime.services.channels.get(CH);
    expect((await world.runtime.services.viewers.byLogin(channel, 'judy')).balance).toBe(1_000);
    await world.expectAuditOk(CH);
  });

  it('pause and resume are buttons with the exact names and switch the channel', async () => {
    await page.getByRole('button', { name: 'Pause new missions' }).click();
    await page.getByRole('button', { name: 'Resume new missions' }).waitFor();
    expect((await world.runtime.services.channels.get(CH)).missionsPaused).toBe(true);
    await page.getByRole('button', { name: 'Resume new missions' }).click();
    await page.getByRole('button', { name: 'Pause new missions' }).waitFor();
    expect((await world.runtime.services.channels.get(CH)).missionsPaused).toBe(false);
  });

  it('on a phone (390×844): no horizontal scroll, every button at least 44 px, mission text as text', async () => {
    await world.exchange(CH, 'gina', '!mission <img src=x onerror="window.__pwned=1"> no deaths 100', 'proposed');
    await world.exchange(CH, 'hank', '!mission A very long mission text that goes on and on to check wrapping on a narrow phone screen without any horizontal scrolling at all 100', 'proposed');
    const phone = await world.newPage({ viewport: { width: 390, height: 844 } });
    await world.signIn(phone);
    await openBoard(phone);
    const xss = mission(phone, 5, '<img src=x onerror="window.__pwned=1"> no deaths');
    await xss.waitFor();
    expect(await xss.locator('.mission-text img').count()).toBe(0);
    expect(await phone.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const small = await phone.$$eval('button, a.btn, select, input', (els) =>
      els
        .map((e) => ({ name: (e as HTMLElement).innerText || e.getAttribute('aria-label') || e.tagName, r: e.getBoundingClientRect() }))
        .filter(({ r }) => r.width > 0 && (r.height < 44 || r.width < 44))
        .map(({ name, r }) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`),
    );
    expect(small).toEqual([]);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.context().close();
  });

  it('in Korean: translated controls, the same article names, numbers grouped', async () => {
    const ko = await world.newPage({ locale: 'ko-KR', colorScheme: 'dark' });
    await world.signIn(ko);
    await openBoard(ko);
    const card = mission(ko, 6, 'A very long mission text that goes on and on to check wrapping on a narrow phone screen without any horizontal scrolling at all');
    await card.getByRole('button', { name: '승인' }).waitFor();
    expect(await card.getByRole('button', { name: '거절' }).count()).toBe(1);
    expect(await ko.getByRole('heading', { name: '승인 대기 2' }).count()).toBe(1);
    expect(await ko.getByRole('button', { name: '새 미션 일시정지' }).count()).toBe(1);
    expect(await ko.locator('.treasury').innerText()).toBe('1,000 pts');
    expect(await ko.getByText('미션 보드 · boardchan').count()).toBe(1);
    expect(await seriousA11yViolations(ko)).toEqual([]);
    await ko.context().close();
  });

  it('is usable by keyboard alone: Tab reaches the buttons of a mission, a dialog takes focus, Escape backs out', async () => {
    await page.bringToFront();
    await page.reload();
    await live(page);
    const onReject6 = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.tagName === 'BUTTON' && el.textContent === 'Reject' && el.closest('article')?.getAttribute('data-number') === '6';
      });
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await onReject6();
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect((await world.runtime.services.missions.get(await world.runtime.services.channels.get(CH), 6)).status).toBe('pending');

    // Loaded while pending (the snapshot said "no verdict in this state"), then approved: judgeable now.
    const card = page.getByRole('article', { name: /^#6 / });
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.getByRole('button', { name: 'Success' }).waitFor();
    expect(await card.getByRole('button', { name: 'Success' }).isDisabled()).toBe(false);
    expect(await card.locator('.why').count()).toBe(0);
  });

  it('logging out revokes the session: another tab of the same browser is told it is signed out', async () => {
    const tab = await page.context().newPage();
    await openBoard(tab);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('npm run login-link').waitFor();
    await tab.waitForSelector('.board[data-feed="signedOut"]');
    expect(await tab.getByRole('alert').innerText()).toContain('You are signed out');
    expect((await fetch(`${world.base}/api/v1/session`, { headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } }).then((r) => r.json())).signedIn).toBe(false);
  });
});
