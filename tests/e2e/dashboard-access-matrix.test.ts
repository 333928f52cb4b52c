/**
 * Every dashboard page × every kind of visitor, in a real Chromium against the whole service:
 * signed out, a viewer signed in on the public board, the channel's moderator, its owner, the
 * admin, and another channel's owner. Each sees the page's content, a read-only form, or a
 * sign-in prompt or a "no access" message, and never a control they may not use. One browser,
 * one context per visitor, the pages visited in a loop over one seeded mission and viewer.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../server/http/session/session-plugin.js';
import { createSessionService } from '../../server/services/sessions.js';
import { chromiumAvailable, startDashboardWorld, type DashboardWorld } from '../support/dashboard-world.js';

const CH = 'matrixchan';
const OTHER = 'matrixother';
const SEEDED = 'seedviewer';
let world: DashboardWorld;
let n = 0;

type Visitor = 'anonymous' | 'viewer' | 'moderator' | 'owner' | 'admin' | 'otherOwner';
const VISITORS: Visitor[] = ['anonymous', 'viewer', 'moderator', 'owner', 'admin', 'otherOwner'];
/** The visitors with no role in the channel but a session: they get "no access", never a sign-in prompt. */
const OUTSIDERS: Visitor[] = ['viewer', 'otherOwner'];

/** What a visitor must see on a page (text in `main`), and the controls (button or link names) they must not. */
interface Sight {
  sees: RegExp;
  never?: string[];
}
const SIGN_IN: Sight = { sees: /Sign in with a link/ };
const JUDGING = ['Approve', 'Reject', 'Success', 'Fail', 'Cancel mission', 'Extend', 'Pause new missions'];
const EXPORTS = ['Ledger CSV', 'Missions CSV', 'Pledges CSV'];
const OVERLAY = ['Copy', 'Send a test event', 'Rotate key'];
const TOKENS = ['Issue token'];

function sight(visitor: Visitor, page: string): Sight {
  if (visitor === 'anonymous' && page !== 'public') return SIGN_IN;
  const outsider = OUTSIDERS.includes(visitor);
  const team = !outsider;
  const ownerOrAdmin = visitor === 'owner' || visitor === 'admin';
  switch (page) {
    case 'board':
      return outsider ? { sees: /You do not have access to this board/, never: JUDGING } : { sees: /Seeded mission/, never: [] };
    case 'overlay':
      return ownerOrAdmin ? { sees: /Overlay URL/ } : { sees: /Only the streamer or an admin can manage the overlay/, never: OVERLAY };
    case 'missions':
      if (!team) return { sees: /can see the missions history/, never: EXPORTS };
      return { sees: /1 mission shown/, never: ownerOrAdmin ? [] : EXPORTS };
    case 'mission':
      return team ? { sees: /Summary/ } : { sees: /can see the missions history/, never: ['Run again'] };
    // The leaderboard and a viewer's balance and history are public reads: everyone sees them.
    case 'viewers':
      return { sees: new RegExp(`Leaderboard[\\s\\S]*${SEEDED}`) };
    case 'viewer':
      return team ? { sees: /Balance/ } : { sees: /Balance/, never: ['Give', 'Take'] };
    case 'settings':
      return ownerOrAdmin ? { sees: /Chat language/ } : { sees: /only the streamer or the admin can change them/, never: ['Save settings', 'Undo changes'] };
    case 'activity':
      // The trail's entries name people (links to them): an outsider gets the refusal instead.
      return team ? { sees: /Mission #1/ } : { sees: /may see this/, never: ['Mission #1', SEEDED] };
    case 'access':
      return ownerOrAdmin ? { sees: /API tokens/ } : { sees: /Only the streamer or the admin can see the tokens and sessions/, never: TOKENS };
    case 'public':
      // The admin names no Twitch user, so has no points of their own to pledge, like a visitor signed out.
      return visitor === 'anonymous' || visitor === 'admin' ? { sees: /Seeded mission/, never: ['Pledge to #1', ...JUDGING] } : { sees: /Your points/, never: JUDGING };
  }
  throw new Error(page);
}

const PAGES: Array<[string, () => string]> = [
  ['board', () => `/c/${CH}`],
  ['overlay', () => `/c/${CH}/overlay`],
  ['missions', () => `/c/${CH}/missions`],
  ['mission', () => `/c/${CH}/missions/${n}`],
  ['viewers', () => `/c/${CH}/viewers`],
  ['viewer', () => `/c/${CH}/viewers/${SEEDED}`],
  ['settings', () => `/c/${CH}/settings`],
  ['activity', () => `/c/${CH}/activity`],
  ['access', () => `/c/${CH}/access`],
  ['public', () => `/p/${CH}`],
];

async function withCookie(page: Page, token: string): Promise<void> {
  await page.context().addCookies([{ name: SESSION_COOKIE, value: token, url: world.base, httpOnly: true, sameSite: 'Lax' }]);
}

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  world = await startDashboardWorld('dash_matrix');
  await world.newChannel(CH, { createCooldown: 0, requireApproval: false });
  await world.newChannel(OTHER, { createCooldown: 0 });
  const res = await fetch(`${world.base}/api/v1/channels/${CH}/missions`, {
    method: 'POST',
    headers: world.asChatUser(CH, SEEDED),
    body: JSON.stringify({ text: 'Seeded mission', amount: 50 }),
  });
  expect(res.status).toBe(201);
  n = ((await res.json()) as { number: number }).number;
});
afterAll(async () => {
  const errors = world?.pageErrors ?? [];
  await world?.close();
  expect(errors).toEqual([]);
});

describe.skipIf(!chromiumAvailable())('every page × every visitor', () => {
  it.each(VISITORS)('%s', async (visitor) => {
    const sessions = createSessionService(world.runtime.db.db);
    const page = await world.newPage();
    if (visitor === 'viewer') await withCookie(page, (await sessions.createViewerSession({ userId: '9001', login: 'boardviewer', displayName: 'BoardViewer' })).token);
    if (visitor === 'moderator') await world.signInAsModerator(page, CH, 'pagemod');
    if (visitor === 'owner') await withCookie(page, (await sessions.createTwitchSession({ userId: `id-${CH}`, login: CH, displayName: CH })).token);
    if (visitor === 'admin') await world.signIn(page);
    if (visitor === 'otherOwner') await withCookie(page, (await sessions.createTwitchSession({ userId: `id-${OTHER}`, login: OTHER, displayName: OTHER })).token);
    for (const [name, path] of PAGES) {
      const expected = sight(visitor, name);
      await page.goto(`${world.base}${path()}`);
      const main = page.locator('main');
      await main.getByText(expected.sees).first().waitFor({ timeout: 10_000 }).catch(async () => {
        throw new Error(`${visitor} on ${name}: expected ${expected.sees}, saw: ${(await main.innerText()).slice(0, 300)}`);
      });
      for (const control of expected.never ?? []) {
        const found = await main.getByRole('button', { name: control, exact: true }).or(main.getByRole('link', { name: control })).count();
        expect([visitor, name, control, found]).toEqual([visitor, name, control, 0]);
      }
    }
    await page.context().close();
  }, 120_000);
});
