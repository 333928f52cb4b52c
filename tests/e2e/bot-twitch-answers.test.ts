/**
 * What Twitch answers the bot's lines, through the real tmi.js client against the chat
 * simulator: a verdict is never lost to a reconnect or a timeout, slow mode paces the bot, and a
 * channel where the bot may not speak is reported while its lines wait.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { BOT, startBotWorld, type BotWorld } from '../support/bot-world.js';

const admin = { kind: 'admin' } as const;
let world: BotWorld;

/** A live mission #1 with one backer, opened from chat. */
async function liveMission(channel: string): Promise<void> {
  await world.exchange(channel, 'alice', '!mission Clutch the last round 100', 'is live');
  await world.exchange(channel, 'carol', '!pledge 1 200', 'carol');
}

const shown = (channel: string, text: string) => world.sim.botMessages(channel).filter((m) => m.text.includes(text) && !m.dropped);

beforeAll(async () => {
  world = await startBotWorld('bot_twitch_answers', { simulator: { enforceLimits: true } });
});

afterAll(async () => {
  await world?.close();
});

describe('the bot and what Twitch answers', () => {
  it('announces a verdict made while chat was disconnected once it is back, instead of dropping it', async () => {
    const ch = await world.newChannel({ requireApproval: false });
    await liveMission(ch);
    world.sim.setAcceptConnections(false);
    const retrying = world.sim.waitForRefusedConnection(8_000);
    world.sim.dropConnections();
    // tmi.js tries to reconnect only once it has seen the connection go.
    await retrying;
    const channel = await world.runtime.services.channels.get(ch);
    await world.runtime.services.verdicts.act(channel, 1, 'success', admin);
    const verdict = world.sim.waitForBotMessage(ch, 'SUCCESS', 15_000);
    world.sim.setAcceptConnections(true);
    expect((await verdict).text).toBe('#1 SUCCESS! 300 pts go to the streamer');
    expect(shown(ch, 'SUCCESS')).toHaveLength(1);
    expect((await auditChannel(world.runtime.db.db, channel.id)).violations).toEqual([]);
  });

  it('holds its lines while timed out, says so, and sends the verdict once Twitch shows its lines again', async () => {
    const ch = await world.newChannel({ requireApproval: false });
    await liveMission(ch);
    world.sim.setRestriction(ch, BOT, { msgId: 'msg_timedout', text: 'You are timed out for 1 more seconds.' });
    const refused = world.sim.waitForBotMessage(ch, (m) => m.text.includes('failed') && m.dropped, 8_000);
    const channel = await world.runtime.services.channels.get(ch);
    await world.runtime.services.verdicts.act(channel, 1, 'fail', admin);
    await refused;
    await vi.waitFor(() => expect(world.bot.mutedChannels()).toEqual([{ channel: ch, reason: 'msg_timedout' }]));
    world.sim.setRestriction(ch, BOT, null);
    // The timeout was 1 s: the held verdict is tried again after it, and this time shown.
    const resent = world.sim.waitForBotMessage(ch, (m) => m.text.includes('failed') && !m.dropped, 10_000);
    expect((await resent).text).toMatch(/^#1 failed — 2 backers refunded 300 pts/);
    await vi.waitFor(() => expect(world.bot.mutedChannels()).toEqual([]));
  });

  it('keeps to ROOMSTATE slow mode where it is not a moderator, and never trips the rate limit', async () => {
    const ch = await world.newChannel({ requireApproval: false }, false);
    world.sim.setRoomMode(ch, { slow: 2 });
    const both = Promise.all([world.sim.waitForBotMessage(ch, '@dave', 15_000), world.sim.waitForBotMessage(ch, '@erin', 15_000)]);
    world.sim.say(ch, 'dave', '!points');
    world.sim.say(ch, 'erin', '!points');
    const [first, second] = (await both).sort((a, b) => a.at - b.at);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect(world.sim.botMessages(ch).filter((m) => m.dropped)).toEqual([]);
    expect(world.sim.rateViolations(ch)).toBe(0);
  });
});
