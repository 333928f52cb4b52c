/**
 * The dashboard's front door in a real Chromium against the whole service: signed out it says how
 * to get a sign-in link; a sign-in link signs the browser in; on first run the admin creates the
 * channel and sees the setup checklist; with the demo chat panel a newcomer runs a mission from
 * proposal to verdict without leaving the browser; the page follows a Korean browser; axe finds
 * nothing serious or critical.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

let world: DashboardWorld;

beforeAll(async () => {
  if (chromiumAvailable()) world = await startDashboardWorld('dash_home', {
      demoChat: true,
      // A Twitch app configured (never called here): the signed-out page offers the Twitch button.
      env: { TWITCH_CLIENT_ID: 'e2e-client-id', TWITCH_CLIENT_SECRET: 'e2e-client-secret' },
    });
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('dashboard home', () => {
  let page: Page;

  it('signed out: offers Log in with Twitch when a Twitch app is configured, explains the sign-in link, and passes axe', async () => {
    page = await world.newPage();
    await page.goto(world.base);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByText('npm run login-link').count()).toBe(1);
    expect(await page.getByText('npm start prints a link too').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Log in with Twitch' }).getAttribute('href')).toBe('/auth/twitch?as=broadcaster');
    // A moderator who opens a board link signed out logs in for that channel.
    await page.goto(`${world.base}/c/somechannel`);
    await page.getByText('moderates somechannel').waitFor();
    expect(await page.getByRole('link', { name: 'Log in with Twitch' }).getAttribute('href')).toBe('/auth/twitch?as=moderator&channel=somechannel');
    await page.goto(world.base);
    await page.getByText('npm run login-link').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('a sign-in link signs in; first run shows the create-channel form; creating the channel shows its checklist', async () => {
    await world.signIn(page);
    await page.getByRole('heading', { name: 'Create your channel' }).waitFor();
    // The first-run list says the channel is the step to take.
    const firstRun = page.getByRole('region', { name: 'Setup checklist' });
    expect(await firstRun.locator('li[data-item="channel"]').innerText()).toMatch(/Add your channel\s*To do/);
    // Bad input: a clear message, and nothing is created.
    await page.getByRole('textbox', { name: 'Twitch channel name' }).fill('no spaces!');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('alert').filter({ hasText: 'letters, digits or underscores' }).waitFor();
    await expect(world.runtime.services.channels.get('no spaces!')).rejects.toThrow();

    await page.getByRole('textbox', { name: 'Twitch channel name' }).fill('FirstRunChan');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('link', { name: 'Open the board of firstrunchan' }).waitFor();
    expect((await world.runtime.services.channels.get('firstrunchan')).login).toBe('firstrunchan');
    expect(await page.getByRole('heading', { name: 'Create your channel' }).count()).toBe(0);

    const checklist = page.getByRole('region', { name: /Setup checklist/ });
    await checklist.waitFor();
    // Every item says done or to do; each open item names its next step.
    const items = checklist.getByRole('listitem');
    expect(await items.count()).toBeGreaterThan(0);
    for (const item of await items.all()) expect(await item.innerText()).toMatch(/Done|To do/);
    const tryIt = checklist.locator('li[data-item="try-it"]');
    expect(await tryIt.innerText()).toContain('To do');
    await tryIt.getByRole('link', { name: 'Open the board' }).click();
    await page.getByRole('heading', { name: 'Board · firstrunchan' }).waitFor();
    await page.goBack();
    await checklist.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('the demo chat panel runs the whole loop in one window: chat → board → verdict', async () => {
    await page.getByRole('link', { name: 'Open the board of firstrunchan' }).click();
    await page.waitForSelector('.board[data-feed="live"]');
    const chat = page.getByRole('complementary', { name: 'Demo chat' });
    const say = async (login: string, role: 'Viewer' | 'Moderator', text: string) => {
      await chat.getByRole('textbox', { name: 'Name' }).fill(login);
      await chat.getByRole('radio', { name: role }).check();
      await chat.getByRole('textbox', { name: 'Message' }).fill(text);
      await chat.getByRole('button', { name: 'Send' }).click();
    };
    await say('alice', 'Viewer', '!mission Beat the boss without dying 100 10m');
    await chat.locator('.chat-line.is-bot', { hasText: 'proposed by @alice' }).waitFor();
    const card = page.getByRole('article', { name: '#1 Beat the boss without dying' });
    await card.getByRole('button', { name: 'Approve' }).click();
    await chat.locator('.chat-line.is-bot', { hasText: '#1 is live!' }).waitFor();
    await say('carol', 'Viewer', '!pledge 1 200');
    await page.waitForFunction(() => document.querySelector('article[data-number="1"] .pot-value')?.textContent === '300');
    await card.getByRole('button', { name: 'Success' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.waitForFunction(() => document.querySelector('.treasury')?.getAttribute('data-value') === '300');
    await chat.locator('.chat-line.is-bot', { hasText: '#1 SUCCESS! 300 pts go to the streamer' }).waitFor();
    expect(await chat.locator('.chat-line:not(.is-bot)', { hasText: '!pledge 1 200' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await world.expectAuditOk('firstrunchan');
  });

  it('follows a Korean browser: natural Korean labels, and the language can be switched back', async () => {
    const ko = await world.newPage({ locale: 'ko-KR' });
    await world.signIn(ko);
    await ko.getByRole('heading', { name: '내 채널' }).waitFor();
    expect(await ko.evaluate(() => document.documentElement.lang)).toBe('ko');
    expect(await ko.getByRole('button', { name: '로그아웃' }).count()).toBe(1);
    // Light by the system (this context), dark by the toggle, remembered across a reload.
    expect(await ko.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await ko.getByRole('button', { name: '다크 모드' }).click();
    expect(await ko.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await ko.getByRole('button', { name: '다크 모드' }).getAttribute('aria-pressed')).toBe('true');
    expect(await seriousA11yViolations(ko)).toEqual([]);
    await ko.getByRole('combobox', { name: '언어' }).selectOption('en');
    await ko.getByRole('heading', { name: 'Your channels' }).waitFor();
    await ko.reload();
    await ko.getByRole('heading', { name: 'Your channels' }).waitFor();
    expect(await ko.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  });
});
