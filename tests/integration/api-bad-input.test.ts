/** Bad input of every shape gets a clear 4xx and changes no balance. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, asChatUser, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
const CH = 'badinput';
let open = 0;

/** A fingerprint of every balance and row count: must not move on refused requests. */
async function ledgerState() {
  const r = await h.runtime.db.db.execute(sql`
    SELECT (SELECT string_agg(id || ':' || balance, ',' ORDER BY id) FROM accounts) AS balances,
           (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM pledges) AS pledges,
           (SELECT count(*) FROM missions) AS missions`);
  return r.rows[0];
}

beforeAll(async () => {
  h = await startHarness({ label: 'badinput', backend: 'postgres', workers: false });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 3 });
  const res = await call(h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions`,
    headers: asChatUser(h, CH, { login: 'alice' }),
    payload: { text: 'Valid mission', amount: 50 },
  });
  open = res.body.number;
});
afterAll(async () => h?.close());

const viewer = () => asChatUser(h, CH, { login: 'alice' });
const pledgeWith = (payload: unknown, headers: Record<string, string> = viewer(), n: number | string = open) =>
  call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/pledges`, headers, payload: payload as object });

describe('refused input changes nothing', () => {
  const amounts: Array<[string, unknown]> = [
    ['non-integer', 10.5],
    ['negative', -10],
    ['zero', 0],
    ['huge (> 2^53)', 2 ** 53 + 2],
    ['non-numeric string', 'lots'],
    ['numeric string', '100'],
    ['null', null],
    ['object', { value: 1 }],
    ['percent over 100', '150%'],
  ];
  it.each(amounts)('pledge amount %s → 400', async (_label, amount) => {
    const before = await ledgerState();
    const res = await pledgeWith({ amount });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
    expect(res.body.error.message).toMatch(/amount/i);
    expect(await ledgerState()).toEqual(before);
  });

  const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, string]> = [
    ['unknown field', () => pledgeWith({ amount: 10, bonus: 5 }), 400, 'VALIDATION'],
    ['missing body', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${open}/pledges`, headers: viewer() }), 400, 'VALIDATION'],
    ['malformed JSON', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${open}/pledges`, headers: { ...viewer(), 'content-type': 'application/json' }, payload: '{"amount":' }), 400, 'INVALID_JSON'],
    ['unknown mission', () => pledgeWith({ amount: 10 }, viewer(), 999), 404, 'MISSION_NOT_FOUND'],
    ['mission number not a number', () => pledgeWith({ amount: 10 }, viewer(), 'abc'), 400, 'VALIDATION'],
    ['unknown channel', () => call(h, { method: 'POST', url: '/api/v1/channels/nochannel/missions/1/pledges', headers: viewer(), payload: { amount: 10 } }), 404, 'CHANNEL_NOT_FOUND'],
    ['more than the balance', () => pledgeWith({ amount: 1_000_000 }), 422, 'INSUFFICIENT_FUNDS'],
    ['below the minimum stake', () => pledgeWith({ amount: 1 }), 422, 'STAKE_TOO_LOW'],
    ['no token', () => pledgeWith({ amount: 10 }, {}), 401, 'UNAUTHORIZED'],
    ['wrong token', () => pledgeWith({ amount: 10 }, { authorization: 'Bearer ml_nope' }), 401, 'UNAUTHORIZED'],
    ['bot token for another channel', () => pledgeWith({ amount: 10 }, asChatUser(h, 'otherchan', { login: 'alice' })), 403, 'FORBIDDEN'],
    ['viewer approving', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${open}/success`, headers: viewer() }), 403, 'FORBIDDEN'],
    ['viewer changing settings', () => call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: viewer(), payload: { minStake: 1 } }), 403, 'FORBIDDEN'],
    ['viewer granting points', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/viewers/alice/give`, headers: viewer(), payload: { amount: 100 } }), 403, 'FORBIDDEN'],
    ['empty mission text', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'bob' }), payload: { text: '' } }), 400, 'VALIDATION'],
    ['invisible-only mission text', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'bob' }), payload: { text: '\u200b\u200b ' } }), 400, 'VALIDATION'],
    ['oversize mission text', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'bob' }), payload: { text: 'x'.repeat(4000) } }), 400, 'VALIDATION'],
    ['201-character mission text', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'bob' }), payload: { text: 'y'.repeat(201) } }), 400, 'VALIDATION'],
    ['duration out of range', () => call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'bob' }), payload: { text: 'Too short', duration: '5s' } }), 422, 'DURATION_OUT_OF_RANGE'],
    ['bad settings', () => call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { minDuration: 7200, maxDuration: 60 } }), 400, 'VALIDATION'],
    ['unknown setting', () => call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { superPowers: true } }), 400, 'VALIDATION'],
  ];
  it.each(cases)('%s → clear 4xx', async (_label, send, status, code) => {
    const before = await ledgerState();
    const res = await send();
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.length).toBeGreaterThan(0);
    expect(await ledgerState()).toEqual(before);
  });

  it('blocked words are refused', async () => {
    await call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { blockedWords: ['forbidden'] } });
    const before = await ledgerState();
    const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'bob' }), payload: { text: 'Say F O R B I D D E N on stream' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('BLOCKED_WORDS');
    expect(await ledgerState()).toEqual(before);
  });

  it('HTML in mission text is stored as text, unchanged', async () => {
    const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'carol' }), payload: { text: '<img src=x onerror=alert(1)>' } });
    expect(res.status).toBe(201);
    expect(res.body.text).toBe('<img src=x onerror=alert(1)>');
  });

  it('the ledger is consistent after all of it', async () => {
    await expectAuditOk(h, CH);
  });
});
