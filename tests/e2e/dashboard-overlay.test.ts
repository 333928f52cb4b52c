/**
 * The overlay page of the dashboard in a real Chromium against the whole service: the live
 * preview is the real overlay, the URL copies, the OBS size is stated, a test event reaches the
 * connected overlays without touching the ledger, the connected count counts, and rotating the
 * key (after its warning) retires the old URL.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'overlaychan';
let world: DashboardWorld;
let page: Page;

const preview = () => page.frameLocator('.preview-frame iframe');
const overlayKey = async () => (await world.runtime.services.channels.get(CH)).overlayKey;

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_overlay');
  await world.newChannel(CH);
  page = await world.newPage();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.base });
  await world.signIn(page);
  await page.goto(`${world.base}/c/${CH}/overlay`);
  await page.getByRole('heading', { name: `Overlay · ${CH}` }).waitFor();
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('the overlay page', () => {
  it('previews the real overlay, states the OBS size, copies the URL, counts the preview as connected', async () => {
    const url = `${world.config.publicUrl}/overlay/${CH}?key=${encodeURIComponent(await overlayKey())}`;
    expect(await page.getByRole('textbox', { name: 'Overlay URL' }).inputValue()).toBe(url);
    expect(await page.locator('.preview-frame iframe').getAttribute('src')).toBe(url);
    expect(await page.getByText('width 1920 and height 1080').count()).toBe(1);
    await preview().locator('html[data-connection="live"]').waitFor();

    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    // The count follows the preview's own connection, without a click.
    await page.getByText('1 overlay connected now').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('a test event shows a mission on the connected overlay and moves no point', async () => {
    const channel = await world.runtime.services.channels.get(CH);
    const before = await world.runtime.services.channels.totals(channel.id);
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByText('Test event sent.').waitFor();
    await preview().locator('.mission-card').first().waitFor();
    expect(await world.runtime.services.channels.totals(channel.id)).toEqual(before);
    expect((await world.runtime.services.missions.list(channel, { limit: 10 })).items).toEqual([]);
  });

  it('rotating the key warns first, then gives a new URL and retires the old one', async () => {
    const oldKey = await overlayKey();
    const oldUrl = await page.getByRole('textbox', { name: 'Overlay URL' }).inputValue();
    expect(await page.getByText('The current URL stops working at once').count()).toBe(1);
    await page.getByRole('button', { name: 'Rotate key' }).click();
    // Backing out keeps the key.
    await page.getByRole('button', { name: 'Back' }).click();
    expect(await overlayKey()).toBe(oldKey);
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('New key made. Update the URL in OBS.').waitFor();
    const newKey = await overlayKey();
    expect(newKey).not.toBe(oldKey);
    expect(await page.getByRole('textbox', { name: 'Overlay URL' }).inputValue()).toContain(encodeURIComponent(newKey));
    expect((await fetch(oldUrl)).ok).toBe(false);
    await preview().locator('html[data-connection="live"]').waitFor();
  });
});
