/**
 * `npm run screenshots`: regenerates the dashboard screenshots in docs/ (board on desktop and
 * phone, light and dark, English and Korean; the home and overlay pages; the missions history, a
 * mission's page, a viewer's page, the settings, the activity trail and the public board) from
 * the real service with a seeded board. Needs Postgres, Redis and Chromium like the e2e tests,
 * and a CJK font for the Korean text (Debian: `apt-get install fonts-noto-cjk`).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureDashboardBuilt } from '../dashboard/build.js';
import { startDashboardWorld } from '../tests/support/dashboard-world.js';
import { seedShowcase } from './dashboard-seed.js';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const CHANNEL = 'streamer';
const VIEWPORTS = { desktop: { width: 1280, height: 860 }, phone: { width: 390, height: 844 } } as const;

async function main(): Promise<void> {
  await ensureDashboardBuilt();
  mkdirSync(DOCS, { recursive: true });
  const world = await startDashboardWorld('dash_shots');
  const written: string[] = [];
  try {
    await world.newChannel(CHANNEL, { requireApproval: true, createCooldown: 0, maxOpenMissions: 20, maxOpenMissionsPerViewer: 5 });
    await seedShowcase(world, CHANNEL);
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      for (const colorScheme of ['light', 'dark'] as const) {
        for (const lang of ['en', 'ko'] as const) {
          const page = await world.newPage({ viewport, colorScheme, locale: lang === 'ko' ? 'ko-KR' : 'en-US' });
          await world.signIn(page);
          await page.goto(`${world.base}/c/${CHANNEL}`);
          await page.waitForSelector('.board[data-feed="live"] .mission');
          await page.waitForSelector('.treasury');
          const file = `${DOCS}dashboard-board-${name}-${colorScheme}-${lang}.png`;
          await page.screenshot({ path: file, fullPage: name === 'phone' });
          written.push(file);
          await page.context().close();
        }
      }
    }
    const page = await world.newPage({ viewport: VIEWPORTS.desktop });
    await world.signIn(page);
    await page.waitForSelector('.checklist li');
    await page.screenshot({ path: `${DOCS}dashboard-home.png`, fullPage: true });
    written.push(`${DOCS}dashboard-home.png`);
    await page.goto(`${world.base}/c/${CHANNEL}/overlay`);
    await page.waitForSelector('.preview-frame iframe');
    await page.frameLocator('.preview-frame iframe').locator('html[data-connection="live"]').waitFor();
    await page.screenshot({ path: `${DOCS}dashboard-overlay.png` });
    written.push(`${DOCS}dashboard-overlay.png`);

    // The pages a streamer looks back with, and the one viewers follow.
    const pages: Array<[file: string, path: string, ready: string]> = [
      ['dashboard-missions.png', `/c/${CHANNEL}/missions`, '.history-item'],
      ['dashboard-mission.png', `/c/${CHANNEL}/missions/1`, '.timeline'],
      ['dashboard-viewer.png', `/c/${CHANNEL}/viewers/alice`, 'form'],
      ['dashboard-settings.png', `/c/${CHANNEL}/settings`, 'form'],
      ['dashboard-activity.png', `/c/${CHANNEL}/activity`, '.activity-item'],
      ['dashboard-public.png', `/p/${CHANNEL}`, '.mission'],
    ];
    for (const [file, path, ready] of pages) {
      await page.goto(`${world.base}${path}`);
      await page.waitForSelector(ready);
      // Lists fill in after their first answer; the page is drawn once the requests settle.
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.screenshot({ path: `${DOCS}${file}`, fullPage: true });
      written.push(`${DOCS}${file}`);
    }
  } finally {
    await world.close();
  }
  process.stdout.write(`${written.map((f) => `wrote ${f}`).join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
