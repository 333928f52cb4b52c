/**
 * The overlay page in a real headless Chromium, fed by the real hub and routes over a memory bus.
 * Skipped when no Chromium is installed (CHROMIUM_PATH or /usr/bin/chromium).
 * Screenshots of each theme land in test-artifacts/ for a human to look at.
 */
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MissionDto, MissionStatus } from '../../server/domain/types.js';
import type { DomainEvent, EventBus } from '../../server/events/types.js';
import { createOverlayHub, type OverlayHub } from '../../server/overlay/hub.js';
import overlayRoutes from '../../server/overlay/routes.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const overlayDir = fileURLToPath(new URL('../../overlay/', import.meta.url));
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const KEY = 'e2e-overlay-key';

const viewer = (name: string) => ({ userId: `id-${name}`, login: name.toLowerCase(), displayName: name });
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

function mission(number: number, text: string, status: MissionStatus, extra: Partial<MissionDto> = {}): MissionDto {
  return {
    number, text, status, pot: 100, backers: 1, proposer: viewer('alice'),
    createdAt: iso(-20 * 60_000), openedAt: status === 'pending' ? null : iso(-18 * 60_000),
    deadline: status === 'pending' ? null : iso(12 * 60_000), resolvedAt: null, settled: false, reason: null,
    newestBacker: viewer('alice'), graceEndsAt: null, pendingExpiresAt: null, ...extra,
  };
}

/** What each channel's snapshot returns; tests edit it. */
const boards = new Map<string, MissionDto[]>();
const demoBoard = (): MissionDto[] => [
  mission(4, 'Beat the Moon Lord without dying 💀🔥', 'open', { pot: 4350, backers: 23, newestBacker: viewer('민수') }),
  mission(7, '노데스 클리어 — 보스전까지 한 번도 죽지 않고 클리어하기! 실패하면 전원 환불, 성공하면 스트리머가 전부 가져갑니다 🎮', 'open', {
    pot: 12000, backers: 87, newestBacker: viewer('SpeedyGonzales'), deadline: iso(45_000), openedAt: iso(-9 * 60_000),
  }),
  mission(9, 'Speedrun any% under 2 hours', 'pending', { pot: 100 }),
  mission(11, 'Hidden by max', 'open'),
];

function memoryBus(): EventBus {
  const handlers = new Set<(event: DomainEvent) => void>();
  return {
    async publish(event) { for (const h of handlers) h(event); },
    subscribe(handler) { handlers.add(handler); return () => handlers.delete(handler); },
    async close() { handlers.clear(); },
  };
}

let app: FastifyInstance;
let hub: OverlayHub;
let bus: EventBus;
let base = '';
let browser: Browser | null = null;

const available = existsSync(chromiumPath);

beforeAll(async () => {
  if (!available) return;
  mkdirSync(artifacts, { recursive: true });
  bus = memoryBus();
  hub = createOverlayHub({
    bus,
    loadSnapshot: async (channel) => ({ missions: boards.get(channel) ?? [], currencyName: channel === 'kochan' ? '포인트' : 'pts', locale: channel === 'kochan' ? 'ko' : 'en' }),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  app = Fastify({ logger: false });
  await app.register(fastifyWebsocket);
  await app.register(overlayRoutes, { hub, overlayDir, verifyKey: async (_c, key) => key === KEY });
  app.addHook('onClose', async () => hub.close());
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (available) await app.close();
});

async function openOverlay(channel: string, query = '', opts: { backdrop?: boolean } = {}): Promise<{ page: Page; violations: string[] }> {
  // bypassCSP only to paint a stand-in game frame behind the transparent page for screenshots.
  const context = await browser!.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: opts.backdrop === true });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('pageerror', (error) => violations.push(String(error)));
  await page.goto(`${base}/overlay/${channel}?key=${KEY}${query}`);
  await page.waitForFunction(() => document.documentElement.dataset.connection === 'live');
  if (opts.backdrop) {
    await page.addStyleTag({
      content: 'html{background:radial-gradient(circle at 30% 40%,#3b5b3a,#1d2b1c 45%,#0b0f14) !important}',
    });
  }
  return { page, violations };
}

const pledge = (channel: string, n: number, i: number, base: { pot: number; backers: number }): DomainEvent => ({
  type: 'pledge', channel, at: iso(0), missionNumber: n, count: 1, amount: 50, newBackers: 1,
  pot: base.pot + 50 * (i + 1), backers: base.backers + i + 1, newestBacker: viewer(`viewer${i}`),
});

describe.skipIf(!available)('overlay page in Chromium', () => {
  it('renders the board from the snapshot, as text, within max, without CSP violations', async () => {
    boards.set('demo', [...demoBoard(), mission(12, '<img src=x onerror="window.__pwned=1"><b>bold</b>', 'open')]);
    const { page, violations } = await openOverlay('demo', '&max=3');
    await page.waitForSelector('.mission-card[data-number="4"]');
    const visible = await page.$$eval('.mission-card:not([hidden])', (els) => els.map((e) => (e as HTMLElement).dataset.number));
    expect(visible).toEqual(['4', '7', '11']);
    expect(await page.textContent('.more-pill')).toBe('+2 more');
    expect(await page.textContent('.mission-card[data-number="4"] .pot')).toContain('4,350');
    expect(await page.textContent('.mission-card[data-number="4"] .backers')).toContain('23');
    expect(await page.getAttribute('.mission-card[data-number="9"]', 'data-status')).toBe('pending');
    const xss = await page.$eval('.mission-card[data-number="12"] .mission-text', (e) => ({ text: e.textContent, children: e.children.length }));
    expect(xss).toEqual({ text: '<img src=x onerror="window.__pwned=1"><b>bold</b>', children: 0 });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // the mission with 45 s left is in its last minute
    expect(await page.getAttribute('.mission-card[data-number="7"] .countdown', 'class')).toContain('is-urgent');
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('aggregates a pledge storm into one burst and lands on the final pot', async () => {
    boards.set('storm', demoBoard());
    const { page } = await openOverlay('storm');
    for (let i = 0; i < 37; i++) await bus.publish(pledge('storm', 4, i, { pot: 4350, backers: 23 }));
    const card = '.mission-card[data-number="4"]';
    await page.waitForFunction((sel) => document.querySelector(`${sel} .burst`)?.textContent === '+37 backers', card);
    await page.waitForFunction((sel) => document.querySelector(`${sel} .pot-value`)?.textContent === '6,200', card);
    expect(await page.textContent(`${card} .backers`)).toContain('60');
    expect(await page.textContent(`${card} .newest-name`)).toBe('viewer36');
    await page.context().close();
  });

  it('shows a verdict banner, then removes the card; hides the board when empty', async () => {
    const only = mission(4, 'Win one ranked game', 'open', { pot: 4350, backers: 23 });
    boards.set('verdict', [only]);
    const { page } = await openOverlay('verdict', '&banner=1');
    await bus.publish({ type: 'resolved', channel: 'verdict', at: iso(0), outcome: 'succeeded', cause: 'verdict', mission: { ...only, status: 'succeeded' } });
    await page.waitForSelector('.mission-card[data-number="4"] .banner');
    expect(await page.textContent('.banner')).toContain('SUCCESS');
    expect(await page.textContent('.banner')).toContain('4,350 pts go to the streamer');
    await page.waitForSelector('.mission-card', { state: 'detached', timeout: 5_000 });
    expect(await page.$eval('#board', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.context().close();
  });

  it('keeps the board through a server-side disconnect and reconnects by itself', async () => {
    boards.set('flaky', demoBoard());
    const { page } = await openOverlay('flaky');
    hub.disconnectChannel('flaky', 1012, 'service restart');
    await page.waitForFunction(() => document.documentElement.dataset.connection !== 'live');
    expect(await page.$$eval('.mission-card', (els) => els.length)).toBeGreaterThan(0);
    await page.waitForFunction(() => document.documentElement.dataset.connection === 'live', undefined, { timeout: 10_000 });
    expect(await page.$$eval('.mission-card:not([hidden])', (els) => els.length)).toBe(3);
    await page.context().close();
  });

  it('clears the board when the key is rotated', async () => {
    boards.set('rotate', demoBoard());
    const { page } = await openOverlay('rotate');
    hub.disconnectChannel('rotate', 4401, 'overlay key rotated');
    await page.waitForFunction(() => document.querySelectorAll('.mission-card').length === 0);
    expect(await page.$eval('#board', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.context().close();
  });

  it('applies theme, position, scale and hide options from the query string', async () => {
    boards.set('opts', demoBoard());
    const { page } = await openOverlay('opts', '&theme=high-contrast&position=bottom-left&scale=0.75&hide=pot,newest&max=1&locale=ko');
    await page.waitForSelector('.mission-card[data-number="4"]');
    const state = await page.evaluate(() => ({
      classes: document.documentElement.className,
      lang: document.documentElement.lang,
      scale: document.documentElement.style.getPropertyValue('--scale'),
      potDisplay: getComputedStyle(document.querySelector('.pot-row')!).display,
      newestDisplay: getComputedStyle(document.querySelector('.newest')!).display,
      shown: document.querySelectorAll('.mission-card:not([hidden])').length,
      backers: document.querySelector('.mission-card[data-number="4"] .backers')?.textContent,
    }));
    expect(state.classes).toContain('theme-contrast');
    expect(state.classes).toContain('pos-bottom-left');
    expect(state.lang).toBe('ko');
    expect(state.scale).toBe('0.75');
    expect(state.potDisplay).toBe('none');
    expect(state.newestDisplay).toBe('none');
    expect(state.shown).toBe(1);
    expect(state.backers).toBe('23명 참여');
    await page.context().close();
  });

  it('captures screenshots of each theme and of the Korean locale', async () => {
    boards.set('demo', demoBoard());
    boards.set('kochan', demoBoard());
    const shots: Array<[string, string, string]> = [
      ['dark', 'demo', ''],
      ['light', 'demo', '&theme=light&position=bottom-left'],
      ['contrast', 'demo', '&theme=contrast&position=top-left'],
      ['ko', 'kochan', '&scale=1.25&position=bottom-right'],
    ];
    for (const [name, channel, query] of shots) {
      const { page } = await openOverlay(channel, query, { backdrop: true });
      await page.waitForSelector('.mission-card');
      if (name === 'dark') await bus.publish(pledge('demo', 4, 0, { pot: 4350, backers: 23 }));
      await page.waitForTimeout(700); // let entrance transitions settle before the picture
      await page.screenshot({ path: `${artifacts}overlay-${name}.png` });
      await page.context().close();
    }
    expect(existsSync(`${artifacts}overlay-ko.png`)).toBe(true);

    // Every card state at once: live, closed, pending, a success banner and a refund banner.
    const won = mission(3, 'Clutch the 1v3', 'open', { pot: 2500, backers: 14 });
    const lost = mission(5, 'No damage on the first boss', 'open', { pot: 820, backers: 9 });
    boards.set('states', [
      won,
      lost,
      mission(6, 'Finish the level in one try', 'closed', { pot: 1400, backers: 11, deadline: iso(-30_000) }),
      mission(8, 'Sing the next song in Korean 🎤', 'pending', { pot: 100 }),
    ]);
    const { page } = await openOverlay('states', '&max=5&position=top-left&scale=0.8', { backdrop: true });
    await page.waitForSelector('.mission-card[data-number="8"]');
    await bus.publish({ type: 'resolved', channel: 'states', at: iso(0), outcome: 'succeeded', cause: 'verdict', mission: { ...won, status: 'succeeded' } });
    await bus.publish({ type: 'resolved', channel: 'states', at: iso(0), outcome: 'failed', cause: 'expired', mission: { ...lost, status: 'failed' } });
    await page.waitForTimeout(700);
    await page.screenshot({ path: `${artifacts}overlay-states.png` });
    expect(await page.$$eval('.banner', (els) => els.map((e) => e.textContent))).toEqual([
      '#3 SUCCESS!2,500 pts go to the streamer',
      "#5 TIME'S UP9 backers refunded 820 pts",
    ]);
    await page.context().close();
  });
});
