/**
 * Every numeric path and query value is bounded by its column's range: one past it is a 400 in
 * the error shape, never a database error (a 500, with the SQL in the log).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asChatUser, call, createChannel, startHarness, type Harness } from '../support/harness.js';

const CH = 'numbounds';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ label: 'numeric_bounds', workers: false });
  await createChannel(h, CH, { requireApproval: false });
  const created = await call(h, {
    method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'alice' }), payload: { text: 'One', amount: 10 },
  });
  expect(created.status).toBe(201);
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('numeric bounds of paths and queries', () => {
  it.each([
    ['mission list cursor past int4', `/api/v1/channels/${CH}/missions?cursor=2147483648`],
    ['mission list cursor of 15 digits', `/api/v1/channels/${CH}/missions?cursor=999999999999999`],
    ['pledge cursor past 2^53', `/api/v1/channels/${CH}/missions/1/pledges?cursor=9007199254740992`],
    ['ledger cursor of 17 digits', `/api/v1/channels/${CH}/ledger?cursor=10000000000000000`],
    ['mission number past int4', `/api/v1/channels/${CH}/missions/2147483648`],
    ['pledges of a mission number past int4', `/api/v1/channels/${CH}/missions/2147483648/pledges`],
  ])('%s is a 400', async (_name, url) => {
    const res = await call(h, { method: 'GET', url });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
  });

  it.each([
    `/api/v1/channels/${CH}/missions?cursor=2147483647`,
    `/api/v1/channels/${CH}/missions/1/pledges?cursor=9007199254740991`,
    `/api/v1/channels/${CH}/ledger?cursor=9007199254740991`,
  ])('the largest value in range is answered: %s', async (url) => {
    const res = await call(h, { method: 'GET', url });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});
