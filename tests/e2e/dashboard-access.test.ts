/**
 * The tokens and sessions page in a real Chromium against the whole service: a token issued in
 * the page is shown once with a copy button, works from outside the browser, is never shown
 * again, and is refused at once after it is revoked; signing a browser out from the page signs
 * that browser out; a moderator is kept out; and the page works on a phone, in Korean and in
 * dark mode without serious accessibility problems.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/http/session/session-plugin.js';
import { createSessionService } from '../../server/services/sessions.js';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'accesschan';
let world: DashboardWorld;
let owner: Page;

/** Signs the page in with Twitch as the channel's broadcaster (its Twitch id is not resolved yet, so by login). */
async function signInAsOwner(page: Page): Promise<void> {
  const session = await createSessionService(world.runtime.db.db).createTwitchSession({ userId: `id-${CH}`, login: CH, displayName: 'AccessStreamer' });
  await page.context().addCookies([{ name: SESSION_COOKIE, value: session.token, url: world.base, httpOnly: true, sameSite: 'Lax' }]);
}

async function openAccess(page: Page): Promise<void> {
  await page.goto(`${world.base}/c/${CH}/access`);
  await page.locator('.access-page').waitFor();
}

/** A request from outside the browser, as curl would make it. */
const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${world.base}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_access');
  await world.newChannel(CH, { createCooldown: 0 });
  owner = await world.newPage();
  await owner.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.base });
  await signInAsOwner(owner);
  await openAccess(owner);
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('the tokens and sessions page', () => {
  let tokenId = 0;
  let secret = '';

  it('issues a token and shows its secret once, with a copy button', async () => {
    await owner.getByText('No tokens yet.').waitFor();
    await owner.getByLabel('Role').selectOption('owner');
    await owner.getByLabel('Label').fill('stream deck');
    await owner.getByRole('button', { name: 'Issue token' }).click();
    const box = owner.getByRole('region', { name: /^Token #\d+ issued$/ });
    await box.waitFor();
    secret = await box.getByLabel('New token').inputValue();
    expect(secret).toMatch(/^ml_[A-Za-z0-9_-]{43}$/);
    tokenId = Number((await box.getByRole('heading').innerText()).match(/#(\d+)/)![1]);
    await box.getByRole('button', { name: 'Copy token' }).click();
    await box.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const row = owner.locator(`.access-item[data-token="${tokenId}"]`);
    expect(await row.innerText()).toContain(`#${tokenId} stream deck`);
    expect(await row.innerText()).toContain('Owner');

    await box.getByRole('button', { name: 'I have copied it' }).click();
    await box.waitFor({ state: 'detached' });
    await openAccess(owner);
    await owner.locator(`.access-item[data-token="${tokenId}"]`).waitFor();
    expect(await owner.content()).not.toContain(secret);
  });

  it('the token works from outside the browser, and after Revoke it is refused at once', async () => {
    expect((await api(`/channels/${CH}/audit`, secret)).status).toBe(200);
    const patched = await api(`/channels/${CH}/settings`, secret, { method: 'PATCH', body: JSON.stringify({ minStake: 20 }) });
    expect(patched.status).toBe(200);
    expect((await world.runtime.services.channels.get(CH)).settings.minStake).toBe(20);

    const row = owner.locator(`.access-item[data-token="${tokenId}"]`);
    await row.getByRole('button', { name: `Revoke token #${tokenId}` }).click();
    await row.getByText('stops working at once').waitFor();
    await row.getByRole('button', { name: `Confirm: Revoke token #${tokenId}` }).click();
    await owner.getByText(`Token #${tokenId} revoked.`).waitFor();
    expect(await row.getAttribute('data-revoked')).toBe('true');
    expect(await row.innerText()).toContain('Revoked');

    expect((await api(`/channels/${CH}/audit`, secret)).status).toBe(401);
    const refused = await api(`/channels/${CH}/settings`, secret, { method: 'PATCH', body: JSON.stringify({ minStake: 30 }) });
    expect(refused.status).toBe(401);
    expect((await world.runtime.services.channels.get(CH)).settings.minStake).toBe(20);
  });

  it("signing a moderator's browser out from the page signs that browser out", async () => {
    const mod = await world.newPage();
    await world.signInAsModerator(mod, CH, 'modmo');
    await mod.goto(`${world.base}/c/${CH}`);
    await mod.waitForSelector('.board[data-feed="live"]');

    // A moderator has no way in here, in the page or through the API.
    await mod.goto(`${world.base}/c/${CH}/access`);
    await mod.getByText('Only the streamer or the admin can see the tokens and sessions').waitFor();
    expect(await mod.evaluate(async (ch) => (await fetch(`/api/v1/channels/${ch}/sessions`)).status, CH)).toBe(403);

    await openAccess(owner);
    const row = owner.locator('.access-item', { hasText: 'modmo' });
    expect(await row.innerText()).toContain('Moderator');
    expect(await owner.locator('.access-item', { hasText: 'this browser' }).innerText()).toContain('AccessStreamer');
    await row.getByRole('button', { name: 'Sign out modmo' }).click();
    await row.getByRole('button', { name: 'Confirm: Sign out modmo' }).click();
    await owner.getByText('modmo is signed out.').waitFor();
    await row.waitFor({ state: 'detached' });

    expect(await mod.evaluate(async () => (await (await fetch('/api/v1/session')).json()).signedIn)).toBe(false);
    await mod.goto(`${world.base}/c/${CH}`);
    await mod.getByText('npm run login-link').waitFor();
    expect(await mod.locator('.board').count()).toBe(0);
    await mod.context().close();
  });

  it('signing out one\'s own browser from the list ends up signed out on the start page', async () => {
    const second = await world.newPage();
    await signInAsOwner(second);
    await openAccess(second);
    const mine = second.locator('.access-item', { hasText: 'this browser' });
    const id = await mine.getAttribute('data-session');
    await mine.getByRole('button', { name: `Sign out ${CH}` }).click();
    await mine.getByRole('button', { name: `Confirm: Sign out ${CH}` }).click();
    await second.waitForURL(`${world.base}/`);
    await second.getByText('npm run login-link').waitFor();
    // The first owner browser is still in, and no longer lists the ended session.
    await openAccess(owner);
    expect(await owner.locator(`.access-item[data-session="${id}"]`).count()).toBe(0);
    await second.context().close();
  });

  it('works on a phone in Korean and dark mode, without serious accessibility violations', async () => {
    const phone = await world.newPage({ locale: 'ko-KR', viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await world.signIn(phone);
    await openAccess(phone);
    await phone.getByRole('heading', { name: `토큰과 세션 · ${CH}` }).waitFor();
    await phone.getByLabel('이름').fill('휴대폰');
    await phone.getByRole('button', { name: '토큰 발급' }).click();
    await phone.getByRole('region', { name: /^토큰 #\d+ 발급됨$/ }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.context().close();
    expect(await seriousA11yViolations(owner)).toEqual([]);
  });
});
