/**
 * A viewer's actions are never lost to the per-user cooldown: the real tmi.js bot with its
 * default cooldown against the chat simulator, on a fresh database. Reads (`!points`) may be
 * thinned; pledges and proposals typed in quick succession all take effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotWorld, type BotWorld } from '../support/bot-world.js';

let world: BotWorld;

const mission = async (channel: string, n: number) => world.runtime.services.missions.get(await world.runtime.services.channels.get(channel), n);
const pledgesOf = async (channel: string, n: number, login: string) => {
  const page = await world.runtime.services.missions.pledges(await world.runtime.services.channels.get(channel), n, { limit: 50 });
  return page.items.filter((p) => p.viewer.login === login).map((p) => p.amount);
};

beforeAll(async () => {
  // The production cooldown (2 s per viewer), not the 0 the other chat tests use.
  world = await startBotWorld('bot_actions', { bot: { userCooldownMs: undefined } });
});

afterAll(async () => {
  await world?.close();
});

describe('the per-user cooldown', () => {
  it('lets a refused pledge be followed at once by one that lands after approval', async () => {
    const ch = await world.newChannel({ requireApproval: true });
    world.sim.setMod(ch, 'bob', true);
    await world.exchange(ch, 'alice', '!mission Beat the boss without dying 100', 'proposed');
    expect(await world.exchange(ch, 'carol', '!pledge 1 50', '@carol')).toMatch(/isn't taking pledges/);
    await world.exchange(ch, 'bob', '!mission approve 1', 'is live');
    // Well inside carol's 2 s cooldown from her first pledge.
    expect(await world.exchange(ch, 'carol', '!pledge 1 250', '@carol pledged')).toBe('@carol pledged 250 to #1, pot 350 pts');
    expect(await pledgesOf(ch, 1, 'carol')).toEqual([250]);
    await world.expectAuditOk(ch);
  });

  it('runs two pledges to two missions typed back to back, and thins repeated reads only', async () => {
    const ch = await world.newChannel({ requireApproval: false, maxOpenMissionsPerViewer: 2, createCooldown: 0 });
    await world.exchange(ch, 'alice', '!mission First challenge 100', '#1');
    await world.exchange(ch, 'erin', '!mission Second challenge 100', '#2');
    const both = Promise.all([world.sim.waitForBotMessage(ch, /#1/, 8_000), world.sim.waitForBotMessage(ch, /#2/, 8_000)]);
    world.sim.say(ch, 'dave', '!pledge 1 100');
    world.sim.say(ch, 'dave', '!pledge 2 200');
    await both;
    await world.bot.idle();
    expect(await pledgesOf(ch, 1, 'dave')).toEqual([100]);
    expect(await pledgesOf(ch, 2, 'dave')).toEqual([200]);
    expect((await mission(ch, 2)).pot).toBe(300);

    // Two balance reads in a row: one answer (reads may be thinned), and no effect either way.
    const answered = world.sim.waitForBotMessage(ch, /frank/, 8_000);
    world.sim.say(ch, 'frank', '!points');
    world.sim.say(ch, 'frank', '!points');
    await answered;
    await world.bot.idle();
    expect(world.sim.botMessages(ch).filter((m) => m.text.includes('frank'))).toHaveLength(1);
    await world.expectAuditOk(ch);
  });
});
