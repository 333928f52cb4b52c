/**
 * One idempotency store and one rule for every write: the same key with the same request
 * (route, body and who acts) replays; the same key with anything else is 409 and changes nothing,
 * pledges included, whichever write used the key first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../server/services/tokens.js';
import { asAdmin, asChatUser, balanceOf, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'idemstore';
let h: Harness;
let mission = 0;
let moderator = '';
const viewer = { userId: 'u-idem', login: 'idemviewer', displayName: 'idemviewer' };

async function journalSize(): Promise<number> {
  const { rows } = await h.database.pool.query('SELECT count(*)::int AS n FROM transfers');
  return (rows[0] as { n: number }).n;
}

const pledgeUrl = () => `/api/v1/channels/${CH}/missions/${mission}/pledges`;
const giveUrl = `/api/v1/channels/${CH}/viewers/${viewer.login}/give`;

beforeAll(async () => {
  h = await startHarness({ label: 'idempotency_store', workers: false });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0 });
  const created = await call(h, {
    method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'host' }), payload: { text: 'Target', amount: 10 },
  });
  mission = created.body.number as number;
  const channel = await h.runtime.services.channels.get(CH);
  moderator = (await createTokenService(h.runtime.db.db).issueToken({ role: 'moderator', channelId: channel.id, label: 'mod' })).token;
  // The viewer exists, so a give can find them.
  const first = await call(h, { method: 'POST', url: pledgeUrl(), headers: asAdmin, payload: { amount: 10, viewer } });
  expect(first.status).toBe(201);
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('one idempotency rule for every write', () => {
  it('a key used for a pledge is refused for a grant', async () => {
    const headers = { ...asAdmin, 'idempotency-key': 'k-pledge-then-give' };
    expect((await call(h, { method: 'POST', url: pledgeUrl(), headers, payload: { amount: 10, viewer } })).status).toBe(201);
    const before = await journalSize();
    const balance = await balanceOf(h, CH, viewer.login);
    const give = await call(h, { method: 'POST', url: giveUrl, headers, payload: { amount: 500 } });
    expect(give.status).toBe(409);
    expect(give.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await journalSize()).toBe(before);
    expect(await balanceOf(h, CH, viewer.login)).toBe(balance);
  });

  it('a key used for a grant is refused for a pledge', async () => {
    const headers = { ...asAdmin, 'idempotency-key': 'k-give-then-pledge' };
    expect((await call(h, { method: 'POST', url: giveUrl, headers, payload: { amount: 500 } })).status).toBe(200);
    const before = await journalSize();
    const pledge = await call(h, { method: 'POST', url: pledgeUrl(), headers, payload: { amount: 10, viewer } });
    expect(pledge.status).toBe(409);
    expect(await journalSize()).toBe(before);
  });

  it('a pledge replays only for the same actor; another caller with the key and body gets 409', async () => {
    const key = 'k-pledge-actor';
    const first = await call(h, { method: 'POST', url: pledgeUrl(), headers: { ...asAdmin, 'idempotency-key': key }, payload: { amount: 20, viewer } });
    expect(first.status).toBe(201);
    const before = await journalSize();
    const again = await call(h, { method: 'POST', url: pledgeUrl(), headers: { ...asAdmin, 'idempotency-key': key }, payload: { amount: 20, viewer } });
    expect(again.status).toBe(200);
    expect(again.body.pledge.id).toBe(first.body.pledge.id);
    const other = await call(h, {
      method: 'POST', url: pledgeUrl(), headers: { authorization: `Bearer ${moderator}`, 'idempotency-key': key }, payload: { amount: 20, viewer },
    });
    expect(other.status).toBe(409);
    const changed = await call(h, { method: 'POST', url: pledgeUrl(), headers: { ...asAdmin, 'idempotency-key': key }, payload: { amount: 21, viewer } });
    expect(changed.status).toBe(409);
    expect(await journalSize()).toBe(before);
  });

  it("refuses API keys in the bot's own key space", async () => {
    const res = await call(h, { method: 'POST', url: pledgeUrl(), headers: { ...asAdmin, 'idempotency-key': 'chat:1234' }, payload: { amount: 10, viewer } });
    expect(res.status).toBe(400);
    await expectAuditOk(h, CH);
  });
});
