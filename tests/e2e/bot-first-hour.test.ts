/**
 * Chat dead ends a new streamer met in their first hour, end to end (the real tmi.js client
 * against the chat simulator, real services on a fresh Postgres): pending missions in
 * `!missions`, the streamer's earnings in `!points`, gifts to a viewer who has not chatted yet,
 * and `extend` adding time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotWorld, type BotWorld } from '../support/bot-world.js';

let world: BotWorld;

beforeAll(async () => {
  world = await startBotWorld('bot_first_hour');
});

afterAll(async () => {
  await world?.close();
});

describe('the first hour in chat', () => {
  it('lists pending missions in !missions, marked as awaiting approval', async () => {
    const ch = await world.newChannel({ requireApproval: true });
    world.sim.setMod(ch, 'mod', true);
    await world.exchange(ch, 'alice', '!mission No deaths 200', 'proposed');
    await world.exchange(ch, 'bob', '!mission Speedrun 100', 'proposed');
    await world.exchange(ch, 'mod', '!mission approve 2', '#2 is live');
    expect(await world.exchange(ch, 'carol', '!missions', 'Missions')).toMatch(/^Missions: #2 Speedrun \(100 pts, 30m\) · #1 No deaths \(200 pts, awaiting approval\)$/);
  });

  it("shows the broadcaster the channel's earnings (the treasury) in !points", async () => {
    const ch = await world.newChannel({ requireApproval: false });
    await world.exchange(ch, 'alice', '!mission Beat the boss 850', 'is live');
    await world.exchange(ch, ch, '!mission success 1', 'SUCCESS');
    expect(await world.exchange(ch, ch, '!points', `@${ch} has`)).toBe(`@${ch} has 1,000 pts; the channel has earned 850 pts from missions`);
    expect(await world.exchange(ch, 'alice', '!points', '@alice has')).toBe('@alice has 150 pts');
    await world.expectAuditOk(ch);
  });

  it('gives points to a viewer who has not chatted: through Twitch when configured, otherwise says to chat once', async () => {
    const ch = await world.newChannel();
    expect(await world.exchange(ch, ch, '!points give @hank 5k', 'hank')).toBe(`@${ch} @hank has no pts here yet: they need to chat here once first`);

    // Twitch's edge: Helix Get Users knows hank by login.
    world.runtime.services.twitchUsers = {
      byLogin: async (login) => (login === 'hank' ? { userId: '777001', login: 'hank', displayName: 'Hank' } : null),
    };
    try {
      expect(await world.exchange(ch, ch, '!points give @hank 5k', 'hank')).toMatch(/hank.*5,000/);
      const hank = await world.runtime.services.viewers.byUserId(await world.runtime.services.channels.get(ch), '777001');
      expect(hank?.balance).toBe(1_000 + 5_000);
      // Someone Twitch does not know still gets the plain answer, and nothing changes.
      expect(await world.exchange(ch, ch, '!points give @nobody_here 10', 'nobody_here')).toContain('need to chat here once first');
    } finally {
      world.runtime.services.twitchUsers = undefined;
    }
    await world.expectAuditOk(ch);
  });

  it('extend adds the given time to the deadline', async () => {
    const ch = await world.newChannel({ requireApproval: false });
    await world.exchange(ch, 'alice', '!mission Long one 50 10m', 'is live');
    const before = await world.runtime.services.missions.get(await world.runtime.services.channels.get(ch), 1);
    await world.exchange(ch, ch, '!mission extend 1 20m', 'extended');
    const after = await world.runtime.services.missions.get(await world.runtime.services.channels.get(ch), 1);
    expect(Date.parse(after.deadline!) - Date.parse(before.deadline!)).toBe(20 * 60_000);
  });
});
