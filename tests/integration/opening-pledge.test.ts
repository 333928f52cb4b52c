/**
 * A proposal's opening pledge is decided by the same rules as a batched pledge (decidePledge):
 * the amount resolved against the locked wallet, minStake, maxPledge, funds. A refused opening
 * pledge leaves no mission and no movement behind.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, ChatUser } from '../../server/domain/actor.js';
import { isDomainError } from '../../server/domain/errors.js';
import type { AmountInput } from '../../server/domain/pledge-rules.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createServiceWorld, type ServiceWorld } from '../support/world.js';

let world: ServiceWorld;
beforeAll(async () => {
  world = await createServiceWorld('opening_pledge', 'opening');
  world.channel = await world.services.channels.updateSettings('opening', { maxPledge: 800 });
});
afterAll(async () => world?.close());

const viewer = (name: string): ChatUser => ({ userId: `id-${name}`, login: name, displayName: name });
const actorOf = (user: ChatUser): Actor => ({ kind: 'chat', channel: 'opening', user, role: 'viewer' });

async function balanceOf(user: ChatUser): Promise<number | null> {
  const result = await world.database.db.execute(
    sql`SELECT balance FROM accounts WHERE channel_id = ${world.channel.id} AND kind = 'wallet' AND user_id = ${user.userId}`,
  );
  const row = result.rows[0] as { balance: number | string } | undefined;
  return row ? Number(row.balance) : null;
}

const missionCount = async (): Promise<number> =>
  Number((await world.database.db.execute(sql`SELECT count(*) AS n FROM missions WHERE channel_id = ${world.channel.id}`)).rows[0]!.n);

/** The outcome code of an opening pledge of `amount`, and the pot it opened with. */
async function propose(user: ChatUser, amount: AmountInput): Promise<{ code: string; pot?: number; params?: unknown }> {
  try {
    const { mission } = await world.services.missions.propose(world.channel, { text: `By ${user.login}`, amount, proposer: user }, actorOf(user));
    return { code: 'ok', pot: mission.pot };
  } catch (err) {
    if (!isDomainError(err)) throw err;
    return { code: err.code, params: err.params };
  }
}

describe("a proposal's opening pledge", () => {
  it('resolves half, percent and all against the wallet and debits exactly that', async () => {
    const u = viewer('halfer');
    expect(await propose(u, { kind: 'half' })).toEqual({ code: 'ok', pot: 500 });
    expect(await balanceOf(u)).toBe(500);
    expect(await propose(u, { kind: 'percent', percent: 25 })).toEqual({ code: 'ok', pot: 125 });
    expect(await propose(u, { kind: 'all' })).toEqual({ code: 'ok', pot: 375 });
    expect(await balanceOf(u)).toBe(0);
    // 1% of 1,000 is exactly the minimum stake.
    expect(await propose(viewer('onepercent'), { kind: 'percent', percent: 1 })).toEqual({ code: 'ok', pot: 10 });
  });

  it('refuses with the typed error of the rule it breaks, creating no mission and moving nothing', async () => {
    const cases: [string, AmountInput, { code: string; params?: unknown }][] = [
      ['low', 5, { code: 'STAKE_TOO_LOW', params: { amount: 5, minimum: 10 } }],
      ['high', 900, { code: 'PLEDGE_TOO_HIGH', params: { amount: 900, maximum: 800 } }],
      ['allin', { kind: 'all' }, { code: 'PLEDGE_TOO_HIGH', params: { amount: 1_000, maximum: 800 } }],
    ];
    for (const [name, amount, expected] of cases) {
      const before = await missionCount();
      expect(await propose(viewer(name), amount)).toEqual(expected);
      expect(await missionCount()).toBe(before);
      // The wallet the proposal would have created rolled back with it.
      expect(await balanceOf(viewer(name))).toBeNull();
    }
  });

  it('refuses what the wallet does not cover, naming the balance it holds', async () => {
    const u = viewer('spender');
    expect(await propose(u, 700)).toEqual({ code: 'ok', pot: 700 });
    const before = await missionCount();
    expect(await propose(u, 400)).toEqual({ code: 'INSUFFICIENT_FUNDS', params: { balance: 300, needed: 400 } });
    expect(await propose(u, { kind: 'percent', percent: 1 })).toEqual({ code: 'STAKE_TOO_LOW', params: { amount: 3, minimum: 10 } });
    expect(await missionCount()).toBe(before);
    expect(await balanceOf(u)).toBe(300);
    const report = await auditChannel(world.database.db, world.channel.id);
    expect(report.violations).toEqual([]);
  });
});
