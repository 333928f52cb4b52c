/**
 * The moderator commands typed in chat, read by the real tmi.js bot from the chat simulator,
 * leave one audit-trail entry each, with source `chat` and the moderator as actor; a refused
 * command (a viewer trying to approve) leaves none.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotWorld, type BotWorld } from '../support/bot-world.js';

let world: BotWorld;

beforeAll(async () => {
  world = await startBotWorld('bot_activity');
});
afterAll(async () => world?.close());

interface Row {
  action: string;
  source: string;
  actor_kind: string;
  actor_login: string | null;
  mission_number: number | null;
  subject_login: string | null;
  amount: number | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

async function trail(channel: string): Promise<Row[]> {
  const c = await world.runtime.services.channels.get(channel);
  const result = await world.runtime.db.db.execute(sql`
    SELECT action, source, actor_kind, actor_login, mission_number, subject_login, amount, reason, details
    FROM activity WHERE channel_id = ${c.id} ORDER BY id`);
  return result.rows as unknown as Row[];
}

describe('chat moderator commands in the audit trail', () => {
  it('records each command once, as chat, by the moderator who typed it', async () => {
    const ch = await world.newChannel({ requireApproval: true, createCooldown: 0, maxOpenMissionsPerViewer: 5 });
    world.sim.setMod(ch, 'bob', true);
    const start = (await trail(ch)).length;

    await world.exchange(ch, 'alice', '!mission Beat the boss without dying 100', 'proposed');
    // A viewer cannot approve: refused in chat, and nothing recorded.
    await world.exchange(ch, 'carol', '!mission approve 1', '@carol');
    await world.exchange(ch, 'bob', '!mission approve 1', 'is live');
    await world.exchange(ch, 'bob', '!mission extend 1 5m', 'extended');
    await world.exchange(ch, 'bob', '!points give @alice 50 raffle winner', 'received');
    await world.exchange(ch, 'bob', '!points take @alice 20', 'taken');
    await world.exchange(ch, 'bob', '!mission success 1', 'SUCCESS');
    await world.exchange(ch, 'alice', '!mission Second try 10', 'proposed');
    await world.exchange(ch, 'bob', '!mission reject 2 too easy', 'rejected');
    await world.exchange(ch, 'alice', '!mission Third try 10', 'proposed');
    await world.exchange(ch, 'bob', '!mission approve 3', 'is live');
    await world.exchange(ch, 'bob', '!mission fail 3', 'failed');
    await world.exchange(ch, 'alice', '!mission Fourth try 10', 'proposed');
    await world.exchange(ch, 'bob', '!mission cancel 4 duplicate', 'cancelled');
    await world.exchange(ch, 'bob', '!mission pause', 'paused');
    await world.exchange(ch, 'bob', '!mission resume', 'open again');
    await world.bot.idle();

    const rows = (await trail(ch)).slice(start);
    const byBob = rows.filter((r) => r.actor_login === 'bob');
    expect(byBob.map((r) => [r.action, r.mission_number])).toEqual([
      ['mission.approved', 1],
      ['mission.extended', 1],
      ['points.given', null],
      ['points.taken', null],
      ['mission.succeeded', 1],
      ['mission.rejected', 2],
      ['mission.approved', 3],
      ['mission.failed', 3],
      ['mission.cancelled', 4],
      ['channel.paused', null],
      ['channel.resumed', null],
    ]);
    for (const r of byBob) expect(r).toMatchObject({ source: 'chat', actor_kind: 'user' });
    expect(byBob[2]).toMatchObject({ subject_login: 'alice', amount: 50, reason: 'raffle winner' });
    expect(byBob[3]).toMatchObject({ subject_login: 'alice', amount: 20, reason: null });
    expect(byBob[5]!.reason).toBe('too easy');
    expect(byBob[8]!.reason).toBe('duplicate');
    expect(typeof byBob[1]!.details?.deadline).toBe('string');
    // The proposals are alice's own, from chat too; carol's refused approval left nothing.
    expect(rows.filter((r) => r.action === 'mission.proposed').map((r) => [r.actor_login, r.source])).toEqual([
      ['alice', 'chat'],
      ['alice', 'chat'],
      ['alice', 'chat'],
      ['alice', 'chat'],
    ]);
    expect(rows.filter((r) => r.actor_login === 'carol')).toEqual([]);
    expect(rows).toHaveLength(byBob.length + 4);
    await world.expectAuditOk(ch);
  });

  it('a chat line delivered twice (same message id) is recorded once', async () => {
    const ch = await world.newChannel({ requireApproval: false });
    world.sim.setMod(ch, 'bob', true);
    await world.exchange(ch, 'alice', '!points', 'alice');
    const before = (await trail(ch)).length;
    const line = world.sim.waitForBotMessage(ch, 'received', 8_000);
    world.sim.say(ch, 'bob', '!points give @alice 5', { id: 'same-message-id' });
    await line;
    world.sim.say(ch, 'bob', '!points give @alice 5', { id: 'same-message-id' });
    await world.bot.idle();
    const added = (await trail(ch)).slice(before);
    expect(added.map((r) => r.action)).toEqual(['points.given']);
    await world.expectAuditOk(ch);
  });
});
