/**
 * The overlay page in headless Chromium against the real server: the real routes, event bus
 * (Redis), services and workers. Actions go through the REST API; the page must follow them live,
 * survive a server restart on the same port, and render mission text as text.
 * Skipped when no Chromium is installed (CHROMIUM_PATH or /usr/bin/chromium).
 * Writes test-artifacts/overlay-live-{dark,light}.png from the live board (the README's
 * docs/overlay-*.png are taken by hand the same way from a board of ordinary missions, so test
 * runs leave the tree clean).
 */
import type { FastifyInstance } from 'fastify';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { asChatUser, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifactsDir = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const available = existsSync(chromiumPath);
const CH = 'livecast';

let h: Harness;
let browser: Browser | null = null;
/** The app serving the page right now: the harness app, then its replacement after the restart. */
let server: FastifyInstance;
let port = 0;
let key = '';

const viewer = (login: string) => asChatUser(h, CH, { login });
const broadcaster = () => asChatUser(h, CH, { login: CH, role: 'broadcaster' });

async function createMission(login: string, text: string, amount: number): Promise<number> {
  const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: viewer(login), payload: { text, amount, duration: '10m' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number as number;
}

async function pledge(login: string, n: number, amount: number): Promise<void> {
  const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/pledges`, headers: viewer(login), payload: { amount } });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

async function openOverlay(query = ''): Promise<{ page: Page; dialogs: string[] }> {
  const context = await browser!.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`http://127.0.0.1:${port}/overlay/${CH}?key=${encodeURIComponent(key)}${query}`);
  await page.waitForFunction(() => document.documentElement.dataset.connection === 'live');
  return { page, dialogs };
}

beforeAll(async () => {
  if (!available) return;
  h = await startHarness({ label: 'overlay_live', backend: 'redis' });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 5 });
  key = (await h.runtime.services.channels.get(CH)).overlayKey;
  server = h.app;
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  port = address.port;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (server !== undefined && server !== h?.app) await server.close(); // restart failed half-way
  await h?.close();
});

describe.skipIf(!available)('overlay page against the real server', () => {
  let page: Page;
  let dialogs: string[];

  it('shows a mission created and pledged through the API, with pot and countdown', async () => {
    ({ page, dialogs } = await openOverlay('&banner=1'));
    const n = await createMission('alice', 'Beat the boss without dying', 200);
    const card = `.mission-card[data-number="${n}"]`;
    await page.waitForSelector(card);
    await pledge('bob', n, 300);
    await page.waitForFunction((sel) => document.querySelector(`${sel} .pot`)?.textContent?.includes('500'), card);
    expect(await page.textContent(`${card} .backers`)).toContain('2');
    expect((await page.textContent(`${card} .countdown`))?.trim()).not.toBe('');
    expect(await page.textContent(`${card} .mission-text`)).toBe('Beat the boss without dying');
  });

  it('renders a hostile mission text as literal text: no element, no dialog', async () => {
    const text = '<img src=x onerror=alert(1)>';
    const n = await createMission('carol', text, 100);
    const sel = `.mission-card[data-number="${n}"] .mission-text`;
    await page.waitForSelector(sel);
    const rendered = await page.$eval(sel, (e) => ({ text: e.textContent, children: e.children.length }));
    expect(rendered).toEqual({ text, children: 0 });
    expect(await page.$$eval('#board img', (els) => els.length)).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('writes screenshots of the live board in the dark and light themes', async () => {
    mkdirSync(artifactsDir, { recursive: true });
    await page.waitForTimeout(700); // let entrance transitions settle before the picture
    const dark = await page.$('#board');
    expect(dark).not.toBeNull();
    await dark!.screenshot({ path: `${artifactsDir}overlay-live-dark.png` });
    const light = await openOverlay('&theme=light');
    await light.page.waitForSelector('.mission-card[data-number="2"]');
    await light.page.waitForTimeout(700);
    await (await light.page.$('#board'))!.screenshot({ path: `${artifactsDir}overlay-live-light.png` });
    await light.page.context().close();
    for (const name of ['dark', 'light']) {
      const size = statSync(`${artifactsDir}overlay-live-${name}.png`).size;
      expect(size).toBeGreaterThan(1_000);
      expect(size).toBeLessThan(1_000_000);
    }
  });

  it('shows a success banner when the broadcaster declares success', async () => {
    const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/1/success`, headers: broadcaster() });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    await page.waitForSelector('.banner');
    expect(await page.textContent('.banner')).toContain('#1');
  });

  it('reconnects by itself after the server restarts on the same port', async () => {
    // Polled on a timer rather than on animation frames (the default), so no wait here depends
    // on the page painting.
    const poll = { polling: 100, timeout: 15_000 };
    await server.close();
    await page.waitForFunction(() => document.documentElement.dataset.connection !== 'live', undefined, poll);
    // The board stays up while the server is gone.
    expect(await page.$$eval('.mission-card[data-number="2"]', (els) => els.length)).toBe(1);
    server = await buildMissionApp(h.runtime);
    await server.listen({ port, host: '127.0.0.1' });
    h.app = server; // API calls and the harness teardown now go to the replacement app
    await page.waitForFunction(() => document.documentElement.dataset.connection === 'live', undefined, poll);
    // Live again: a pledge made after the restart reaches the page through the new app's hub.
    await pledge('dave', 2, 150);
    await page.waitForFunction(() => document.querySelector('.mission-card[data-number="2"] .pot')?.textContent?.includes('250'), undefined, poll);
    await page.context().close();
    await expectAuditOk(h, CH);
  }, 60_000);
});
