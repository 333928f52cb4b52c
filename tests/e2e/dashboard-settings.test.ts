/**
 * The settings page in a real Chromium against the whole service: a change saved in the form
 * sends only what changed, shows in `GET /channels/:channel`, and the next chat command obeys
 * it; a value the server refuses shows the server's message beside that field and changes
 * nothing; a moderator sees the form read-only; unsaved changes survive a language switch; and
 * the page works on a phone, in Korean and in dark mode without serious accessibility problems.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, seriousA11yViolations, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'setchan';
let world: DashboardWorld;
let page: Page;

const field = (p: Page, key: string) => p.locator(`.setting[data-field="${key}"]`);
const settingsNow = async () => (await world.runtime.services.channels.get(CH)).settings;

async function openSettings(p: Page): Promise<void> {
  await p.goto(`${world.base}/c/${CH}/settings`);
  await p.locator('.settings-form').waitFor();
}

/** The PATCH bodies the page sends while `work` runs. */
async function patchesDuring(p: Page, work: () => Promise<void>): Promise<unknown[]> {
  const bodies: unknown[] = [];
  const onRequest = (r: { method(): string; url(): string; postData(): string | null }) => {
    if (r.method() === 'PATCH' && r.url().endsWith(`/channels/${CH}/settings`)) bodies.push(JSON.parse(r.postData() ?? 'null'));
  };
  p.on('request', onRequest);
  try {
    await work();
  } finally {
    p.off('request', onRequest);
  }
  return bodies;
}

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_settings');
  await world.newChannel(CH, { requireApproval: false, createCooldown: 0 });
  page = await world.newPage();
  await world.signIn(page);
  await openSettings(page);
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('the settings page', () => {
  it('shows every setting, durations written the way chat writes them', async () => {
    expect(await page.getByLabel('Default time limit').inputValue()).toBe('30m');
    expect(await page.getByLabel('Longest time limit').inputValue()).toBe('1d');
    expect(await page.getByLabel('Verdict grace').inputValue()).toBe('15m');
    expect(await page.getByLabel('Pause between proposals').inputValue()).toBe('0s');
    expect(await page.getByLabel('Largest pledge').inputValue()).toBe('');
    expect(await page.getByLabel('Interval', { exact: true }).inputValue()).toBe('5m');
    expect(await page.getByLabel('Moderators approve proposals').isChecked()).toBe(false);
    expect(await page.getByLabel('Never earn points').inputValue()).toContain('nightbot');
    for (const legend of ['Language and currency', 'Points and pledges', 'Proposals', 'Time limits', 'Verdicts', 'Watch-time points']) {
      await page.getByRole('group', { name: legend }).waitFor();
    }
  });

  it('saves only the changed fields; the channel shows them and the next chat command obeys them', async () => {
    // The bot has read the channel (and caches it) before the change.
    expect(await world.exchange(CH, 'regular', '!points', /@regular has/)).toBe('@regular has 1,000 pts');
    // The bot subscribed before this test did, so once this handler sees the change the bot has too.
    let announced!: () => void;
    const seen = new Promise<void>((resolve) => (announced = resolve));
    const unsubscribe = world.runtime.bus.subscribe((event) => {
      if (event.type === 'channel' && event.channel === CH) announced();
    });
    const bodies = await patchesDuring(page, async () => {
      await page.getByLabel('Currency name').fill('gems');
      await page.getByLabel('Starting balance').fill('777');
      await page.getByLabel('Smallest pledge').fill('50');
      await page.getByLabel('Default time limit').fill('90m');
      await page.getByLabel('Blocked words').fill('spoiler\n  cheat  \n');
      await page.locator('.settings-bar[data-pending="5"]').waitFor();
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
    });
    expect(bodies).toEqual([{ currencyName: 'gems', startingBalance: 777, minStake: 50, defaultDuration: 5400, blockedWords: ['spoiler', 'cheat'] }]);
    // Shown back the way chat writes it.
    expect(await page.getByLabel('Default time limit').inputValue()).toBe('1h30m');
    await page.locator('.settings-bar[data-pending="0"]').waitFor();

    const res = await fetch(`${world.base}/api/v1/channels/${CH}`);
    expect((await res.json()).settings).toMatchObject({ currencyName: 'gems', startingBalance: 777, minStake: 50, defaultDuration: 5400, blockedWords: ['spoiler', 'cheat'] });

    // No restart, no cache lifetime to wait out: the very next chat command follows the change.
    await seen;
    unsubscribe();
    expect(await world.exchange(CH, 'newcomer', '!points', /@newcomer has/)).toBe('@newcomer has 777 gems');
    expect(await world.exchange(CH, 'newcomer', '!mission Beat the level 20', /minimum/)).toMatch(/the minimum is 50 gems \(you offered 20\)/);
    await world.expectAuditOk(CH);
  });

  it("a value the server refuses shows the server's message beside that field, and nothing changes", async () => {
    const before = await settingsNow();
    await page.getByLabel('Smallest pledge').fill('0');
    await page.getByLabel('Chat language').selectOption('ko');
    const bodies = await patchesDuring(page, async () => {
      await page.getByRole('button', { name: 'Save settings' }).click();
      await field(page, 'minStake').locator('.setting-error').waitFor();
    });
    expect(bodies).toEqual([{ locale: 'ko', minStake: 0 }]);
    expect(await field(page, 'minStake').locator('.setting-error').innerText()).toBe('body.minStake must be >= 1');
    expect(await page.getByLabel('Smallest pledge').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Smallest pledge').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await settingsNow()).toEqual(before);

    // A rule across two fields lands beside the first one it names.
    await page.getByLabel('Smallest pledge').fill('50');
    await page.getByLabel('Shortest time limit').fill('2h');
    await page.getByLabel('Longest time limit').fill('1h');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await field(page, 'minDuration').locator('.setting-error').waitFor();
    expect(await field(page, 'minDuration').locator('.setting-error').innerText()).toContain('minDuration must not exceed maxDuration');
    expect(await settingsNow()).toEqual(before);

    // Text that is not a duration is caught before anything is sent.
    await page.getByRole('button', { name: 'Undo changes' }).click();
    await page.getByLabel('Approval waits at most').fill('soon');
    const none = await patchesDuring(page, async () => {
      await page.getByRole('button', { name: 'Save settings' }).click();
      await field(page, 'pendingTimeout').getByText('Write a duration like 90s, 10m or 1h30m.').waitFor();
    });
    expect(none).toEqual([]);
    await page.getByRole('button', { name: 'Undo changes' }).click();
    expect(await page.getByLabel('Approval waits at most').inputValue()).toBe('10m');
  });

  it('unsaved changes survive a language switch, and the Korean form saves them', async () => {
    await page.getByLabel('Currency name').fill('coins');
    await page.getByRole('combobox', { name: 'Language', exact: true }).selectOption('ko');
    await page.getByRole('button', { name: '설정 저장' }).waitFor();
    expect(await page.getByLabel('화폐 이름').inputValue()).toBe('coins');
    await page.getByRole('button', { name: '설정 저장' }).click();
    await page.getByText('설정을 저장했어요.').waitFor();
    expect((await settingsNow()).currencyName).toBe('coins');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('combobox', { name: '언어', exact: true }).selectOption('en');
  });

  it('a moderator sees the settings read-only, and cannot save them through the API either', async () => {
    const mod = await world.newPage();
    await world.signInAsModerator(mod, CH, 'modmia');
    await openSettings(mod);
    await mod.getByText('only the streamer or the admin can change them').waitFor();
    expect(await mod.getByLabel('Currency name').inputValue()).toBe('coins');
    expect(await mod.getByLabel('Currency name').isDisabled()).toBe(true);
    expect(await mod.getByLabel('Moderators approve proposals').isDisabled()).toBe(true);
    expect(await mod.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    const refused = await mod.evaluate(async (ch) => {
      const session = await (await fetch('/api/v1/session')).json();
      const res = await fetch(`/api/v1/channels/${ch}/settings`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ currencyName: 'stolen' }),
      });
      return res.status;
    }, CH);
    expect(refused).toBe(403);
    expect((await settingsNow()).currencyName).toBe('coins');
    expect(await seriousA11yViolations(mod)).toEqual([]);
    await mod.context().close();
  });

  it('works on a phone in Korean and dark mode, without serious accessibility violations', async () => {
    const phone = await world.newPage({ locale: 'ko-KR', viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await world.signIn(phone);
    await openSettings(phone);
    await phone.getByRole('heading', { name: `설정 · ${CH}` }).waitFor();
    await phone.getByLabel('기본 제한 시간').fill('1시간');
    await phone.getByRole('button', { name: '설정 저장' }).click();
    await phone.getByText('설정을 저장했어요.').waitFor();
    expect((await settingsNow()).defaultDuration).toBe(3600);
    expect(await phone.getByLabel('기본 제한 시간').inputValue()).toBe('1h');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.context().close();
  });
});
