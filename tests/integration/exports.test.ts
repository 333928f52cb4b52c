/**
 * The accountant's CSV exports: exact totals against the ledger route across several keyset
 * pages, chat text (Korean, formulas, quotes) written safely, access for owner and admin only,
 * and the date filter.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_PAGE_SIZE } from '../../server/services/exports.js';
import { createTokenService } from '../../server/services/tokens.js';
import { browserSession, signInAsAdmin } from '../support/dashboard.js';
import { asAdmin, asChatUser, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
const CH = 'exports';
const OTHER = 'exportsother';
const tokens: Record<'owner' | 'moderator' | 'otherOwner', string> = { owner: '', moderator: '', otherOwner: '' };
const KOREAN = '노래 한 곡 부르기, "진짜로"';
const FORMULA = '=HYPERLINK("http://evil.example","click")';
/** More journal rows than two export pages, so the keyset paging is crossed. */
const SEEDED_GRANTS = EXPORT_PAGE_SIZE * 2 + 321;

/** RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\r')) {
      field += c;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else {
      expect(text[i + 1], 'records end in CRLF').toBe('\n');
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    }
  }
  expect(field === '' && record.length === 0, 'the file ends with a complete CRLF record').toBe(true);
  return records;
}

async function download(path: string, headers: Record<string, string> = { authorization: `Bearer ${tokens.owner}` }) {
  const res = await h.app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/exports/${path}`, headers });
  return res;
}

/** Rows as objects keyed by the header, after checking the BOM. */
function tableOf(body: string): Record<string, string>[] {
  expect(body.startsWith('\uFEFF'), 'starts with a UTF-8 BOM').toBe(true);
  const [header, ...rows] = parseCsv(body.slice(1));
  return rows.map((r) => Object.fromEntries(header!.map((name, i) => [name, r[i]!])));
}

beforeAll(async () => {
  h = await startHarness({ label: 'exports', backend: 'postgres', workers: false });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 5 });
  await createChannel(h, OTHER, { createCooldown: 0 });
  const service = createTokenService(h.runtime.db.db);
  const home = await h.runtime.services.channels.get(CH);
  const other = await h.runtime.services.channels.get(OTHER);
  tokens.owner = (await service.issueToken({ channelId: home.id, role: 'owner' })).token;
  tokens.moderator = (await service.issueToken({ channelId: home.id, role: 'moderator' })).token;
  tokens.otherOwner = (await service.issueToken({ channelId: other.id, role: 'owner' })).token;
  for (const [login, text] of [['alice', KOREAN], ['bob', FORMULA], ['carol', 'plain']]) {
    const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: login! }), payload: { text, amount: 100 } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/1/pledges`, headers: asChatUser(h, CH, { login: 'bob' }), payload: { amount: 250 } });
  const won = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/3/success`, headers: asChatUser(h, CH, { login: CH, role: 'broadcaster' }) });
  expect(won.status, JSON.stringify(won.body)).toBe(200);
  // Set-based grants from the mint to alice, with both balances moved by the same total.
  const db = h.runtime.db.db;
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
      SELECT ${home.id}, mint.id, w.id, 1 + g % 9, 'grant', 'admin'
      FROM generate_series(1, ${SEEDED_GRANTS}) g,
           (SELECT id FROM accounts WHERE channel_id = ${home.id} AND kind = 'mint') mint,
           (SELECT id FROM accounts WHERE channel_id = ${home.id} AND user_id = 'id-alice') w`);
    const total = sql`(SELECT sum(1 + g % 9) FROM generate_series(1, ${SEEDED_GRANTS}) g)`;
    await tx.execute(sql`UPDATE accounts SET balance = balance + ${total} WHERE channel_id = ${home.id} AND user_id = 'id-alice'`);
    await tx.execute(sql`UPDATE accounts SET balance = balance - ${total} WHERE channel_id = ${home.id} AND kind = 'mint'`);
  });
});
afterAll(async () => h?.close());

describe('ledger.csv', () => {
  it('has exactly the rows and the amount total of the ledger route, over several pages', async () => {
    let apiRows = 0;
    let apiTotal = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { items: { amount: number }[]; nextCursor: string | null } } =
        await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?limit=1000${cursor ? `&cursor=${cursor}` : ''}` });
      apiRows += page.body.items.length;
      apiTotal += page.body.items.reduce((sum, r) => sum + r.amount, 0);
      cursor = page.body.nextCursor;
    } while (cursor);

    const res = await download('ledger.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const today = new Date().toISOString().slice(0, 10);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${CH}-ledger-${today}.csv"`);
    const rows = tableOf(res.body);
    expect(apiRows).toBeGreaterThan(EXPORT_PAGE_SIZE * 2);
    expect(rows.length).toBe(apiRows);
    expect(rows.reduce((sum, r) => sum + Number(r.amount), 0)).toBe(apiTotal);
    // Keyset pages neither repeat nor skip a row.
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const payout = rows.find((r) => r.kind === 'payout')!;
    expect(payout).toMatchObject({ fromKind: 'escrow', toKind: 'treasury', missionNumber: '3', pledgeId: '' });
    await expectAuditOk(h, CH);
  });

  it('a date filter keeps only the rows of that range; bad dates get a clear 400', async () => {
    const future = tableOf((await download('ledger.csv?from=2999-01-01')).body);
    expect(future).toEqual([]);
    const all = tableOf((await download('ledger.csv?from=2000-01-01&to=2999-01-01')).body);
    expect(all.length).toBeGreaterThan(SEEDED_GRANTS);
    for (const query of ['from=yesterday', 'from=2026-02-30', 'to=2026-01-01T25:00:00Z', 'from=2026-03-02&to=2026-03-01']) {
      const res = await download(`ledger.csv?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code, query).toBe('VALIDATION');
      expect(res.json().error.message, query).toMatch(/from|to/);
    }
  });
});

describe('missions.csv and pledges.csv', () => {
  it('writes Korean text intact and neutralises a formula from chat', async () => {
    const res = await download('missions.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(new RegExp(`filename="${CH}-missions-\\d{4}-\\d{2}-\\d{2}\\.csv"`));
    const missions = tableOf(res.body);
    expect(missions.map((m) => m.number)).toEqual(['1', '2', '3']);
    expect(missions[0]).toMatchObject({ text: KOREAN, status: 'open', pot: '350', backers: '2', proposer: 'alice', settled: 'false' });
    expect(missions[1]!.text).toBe(`'${FORMULA}`);
    expect(missions[2]).toMatchObject({ status: 'succeeded', settled: 'true', pot: '100' });
    // The raw bytes are UTF-8 Korean, not a re-encoding.
    expect(res.rawPayload.includes(Buffer.from('노래 한 곡', 'utf8'))).toBe(true);
  });

  it('lists every pledge with its mission, viewer and settlement', async () => {
    const pledges = tableOf((await download('pledges.csv')).body);
    expect(pledges.map((p) => [p.missionNumber, p.viewer, p.amount])).toEqual([
      ['1', 'alice', '100'],
      ['2', 'bob', '100'],
      ['3', 'carol', '100'],
      ['1', 'bob', '250'],
    ]);
    expect(pledges.find((p) => p.missionNumber === '3')!.settlement).toBe('paid');
    expect(pledges.find((p) => p.missionNumber === '1')!.settlement).toBe('');
  });
});

describe('access', () => {
  it('owner and admin, by token or session, may export; moderators (token or session), anonymous, another owner and the bot may not', async () => {
    const session = await signInAsAdmin(h.app);
    // The channel's broadcaster id is unresolved, so its broadcaster is known by login.
    const owner = await browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId: `id-${CH}`, login: CH, displayName: CH })).token);
    const home = await h.runtime.services.channels.get(CH);
    await h.runtime.db.db.execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name) VALUES (${home.id}, '7001', 'exportmod', 'exportmod')`);
    const moderator = await browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId: '7001', login: 'exportmod', displayName: 'exportmod' })).token);
    for (const headers of [{ authorization: `Bearer ${tokens.owner}` }, asAdmin, { cookie: session.cookie }, { cookie: owner.cookie }]) {
      for (const file of ['ledger.csv', 'missions.csv', 'pledges.csv']) expect((await download(file, headers)).statusCode).toBe(200);
    }
    for (const file of ['ledger.csv', 'missions.csv', 'pledges.csv']) {
      expect((await download(file, {})).statusCode, file).toBe(401);
      expect((await download(file, { authorization: `Bearer ${tokens.moderator}` })).statusCode, file).toBe(403);
      expect((await download(file, { cookie: moderator.cookie })).statusCode, file).toBe(403);
      expect((await download(file, { authorization: `Bearer ${tokens.otherOwner}` })).statusCode, file).toBe(403);
      expect((await download(file, asChatUser(h, CH, { login: CH, role: 'broadcaster' }))).statusCode, file).toBe(403);
    }
  });

  it('an unknown channel is a 404', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/channels/nosuchchannel/exports/ledger.csv', headers: asAdmin });
    expect(res.statusCode).toBe(404);
  });
});
