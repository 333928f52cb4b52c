/**
 * The restricted reads × every kind of caller (the callers of `access-control.test.ts`). Most
 * reads are public; these show what only a channel's team may see (its audit trail, every
 * viewer's balance, its tokens and sessions, the accountant's exports, its setup) or what only
 * the signed-in Twitch user may see (their own balance and pledges). Without a credential the
 * answer is 401, with the wrong one 403 and no data, with the right one 200; and no read, allowed
 * or refused, moves the journal or the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EVERYONE,
  TWITCH_SELVES,
  UNAUTHENTICATED,
  startAccessWorld,
  type AccessWorld,
  type Who,
} from '../support/access-world.js';
import { asAdmin, asChatUser, call, expectAuditOk } from '../support/harness.js';

const CH = 'acr_home';
const OTHER = 'acr_other';

/** GETs need no CSRF token, so the admin's session without one is the admin here. */
const MEMBERS: Who[] = ['moderator', 'owner', 'admin', 'adminSession', 'ownerSession', 'moderatorSession', 'sessionNoCsrf'];
const OWNER_OR_ADMIN: Who[] = ['owner', 'admin', 'adminSession', 'ownerSession', 'sessionNoCsrf'];
const ADMIN: Who[] = ['admin', 'adminSession', 'sessionNoCsrf'];

let world: AccessWorld;
let missionNumber = 0;

const READS: Record<string, { url: () => string; allowed: Who[]; csv?: true }> = {
  'GET /channels/:c/activity': { url: () => `/api/v1/channels/${CH}/activity`, allowed: MEMBERS },
  'GET /channels/:c/viewers (search)': { url: () => `/api/v1/channels/${CH}/viewers?q=pro`, allowed: MEMBERS },
  'GET /channels/:c/board/missions/:n': { url: () => `/api/v1/channels/${CH}/board/missions/${missionNumber}`, allowed: MEMBERS },
  'GET /channels/:c/tokens': { url: () => `/api/v1/channels/${CH}/tokens`, allowed: OWNER_OR_ADMIN },
  'GET /channels/:c/sessions': { url: () => `/api/v1/channels/${CH}/sessions`, allowed: OWNER_OR_ADMIN },
  'GET /channels/:c/audit': { url: () => `/api/v1/channels/${CH}/audit`, allowed: OWNER_OR_ADMIN },
  'GET /channels/:c/setup': { url: () => `/api/v1/channels/${CH}/setup`, allowed: OWNER_OR_ADMIN },
  'GET /channels/:c/overlay/status': { url: () => `/api/v1/channels/${CH}/overlay/status`, allowed: OWNER_OR_ADMIN },
  'GET /channels/:c/exports/ledger.csv': { url: () => `/api/v1/channels/${CH}/exports/ledger.csv`, allowed: OWNER_OR_ADMIN, csv: true },
  'GET /channels/:c/exports/missions.csv': { url: () => `/api/v1/channels/${CH}/exports/missions.csv`, allowed: OWNER_OR_ADMIN, csv: true },
  'GET /channels/:c/exports/pledges.csv': { url: () => `/api/v1/channels/${CH}/exports/pledges.csv`, allowed: OWNER_OR_ADMIN, csv: true },
  'GET /setup': { url: () => '/api/v1/setup', allowed: ADMIN },
  // The signed-in Twitch user's own balance and pledges: tokens and the admin name no Twitch user.
  'GET /channels/:c/me': { url: () => `/api/v1/channels/${CH}/me`, allowed: TWITCH_SELVES },
};

beforeAll(async () => {
  world = await startAccessWorld('acl_reads', CH, OTHER);
  missionNumber = await world.freshMission(true);
  // Something to export and to find: a pledge on the open mission.
  const pledged = await call(world.h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions/${missionNumber}/pledges`,
    headers: asChatUser(world.h, CH, { login: 'probacker', userId: 'pb1' }),
    payload: { amount: 25 },
  });
  expect(pledged.status, JSON.stringify(pledged.body)).toBe(201);
});
afterAll(async () => world?.h.close());

describe('every restricted read × every caller', () => {
  for (const [read, cell] of Object.entries(READS)) {
    it.each(EVERYONE)(`${read} as %s`, async (who) => {
      const journal = await world.journalSize();
      const trail = await world.trailSize();
      const res = await world.h.app.inject({ method: 'GET', url: cell.url(), headers: world.headersOf(who) });
      const json = () => res.json() as Record<string, any>;
      if (cell.allowed.includes(who)) {
        expect(res.statusCode, res.body).toBe(200);
        if (cell.csv) expect(res.headers['content-type']).toMatch(/^text\/csv/);
        else expect(json().error).toBeUndefined();
        // Whatever the caller, an answer about who may get in never carries a secret.
        expect(res.body).not.toMatch(/ml_[A-Za-z0-9_-]{20,}/);
      } else {
        const unauthenticated = UNAUTHENTICATED.includes(who);
        expect(res.statusCode, res.body).toBe(unauthenticated ? 401 : 403);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        // The error and nothing else: no list, no rows, no checklist.
        expect(Object.keys(json())).toEqual(['error']);
        expect(json().error).toMatchObject({ code: unauthenticated ? 'UNAUTHORIZED' : 'FORBIDDEN', message: expect.any(String) });
      }
      expect(await world.journalSize()).toBe(journal);
      expect(await world.trailSize()).toBe(trail);
    });
  }

  it('the allowed callers see the data: the pledge in the exports, the viewer in the search, the mission on the board', async () => {
    const get = (url: string) => world.h.app.inject({ method: 'GET', url, headers: asAdmin });
    expect((await get(`/api/v1/channels/${CH}/exports/pledges.csv`)).body).toContain('probacker');
    expect((await get(`/api/v1/channels/${CH}/viewers?q=pro`)).json().items.map((v: { login: string }) => v.login)).toContain('probacker');
    expect((await get(`/api/v1/channels/${CH}/board/missions/${missionNumber}`)).json()).toMatchObject({ number: missionNumber });
    const me = await world.h.app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/me`, headers: world.headersOf('viewerSession') });
    expect(me.json().viewer).toMatchObject({ login: 'boardviewer' });
    await expectAuditOk(world.h, CH);
  });
});
