/**
 * The bot end to end: the real tmi.js client against the chat simulator, the real services on a
 * fresh Postgres database (events over LISTEN/NOTIFY, jobs on BullMQ's Postgres backend).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelSettings } from '../../server/domain/settings.js';
import { BOT, startBotWorld, type BotWorld } from '../support/bot-world.js';

let world: BotWorld;
const channels: string[] = [];

/** A fresh channel per test; the running bot finds it by polling and joins as a moderator. */
async function newChannel(settings: Partial<ChannelSettings> = {}): Promise<string> {
  const login = await world.newChannel(settings);
  channels.push(login);
  return login;
}

const exchange = (channel: string, login: string, text: string, reply: RegExp | string) => world.exchange(channel, login, text, reply);
const expectAuditOk = (login: string) => world.expectAuditOk(login);
const balance = async (channel: string, login: string) =>
  (await world.runtime.services.viewers.byLogin(await world.runtime.services.channels.get(channel), login)).balance;
const mission = async (channel: string, n: number) =>
  world.runtime.services.missions.get(await world.runtime.services.channels.get(channel), n);

beforeAll(async () => {
  world = await startBotWorld('bot_chat', { poolMax: 20 });
  expect(world.bot.running).toBe(true);
});

afterAll(async () => {
  await world?.close();
});

afterEach(() => {
  for (const login of channels) {
    expect(world.sim.botMessages(login).length).toBeGreaterThan(0);
    expect(world.sim.rateViolations(login)).toBe(0);
    expect(world.sim.lengthViolations(login)).toBe(0);
  }
});

describe('a mission from chat', () => {
  it('runs proposal, approval, pledges and success, then a failure that refunds everyone', async () => {
    const ch = await newChannel({ requireApproval: true });
    world.sim.setMod(ch, 'bob', true);

    expect(await exchange(ch, 'alice', '!mission Beat the boss without dying 100 30m', 'proposed')).toBe(
      '#1 "Beat the boss without dying" proposed by @alice (100 pts) — mods: !mission approve 1',
    );
    expect((await mission(ch, 1)).status).toBe('pending');
    expect(await exchange(ch, 'bob', '!mission approve 1', 'is live')).toMatch(/^#1 is live! Back it: !pledge 1 <amount> — 30m left$/);

    expect(await exchange(ch, 'carol', '!pledge 1 200', 'carol')).toBe('@carol pledged 200 to #1, pot 300 pts');
    const confirmed = world.sim.waitForBotMessage(ch, 'pot 1,000 pts', 8_000);
    world.sim.say(ch, 'dave', '!pledge #1 300');
    world.sim.say(ch, 'erin', '!pledge 1 400');
    expect((await confirmed).text).toMatch(/^#1 \+2 backers, pot 1,000 pts$|^@erin pledged 400 to #1, pot 1,000 pts$/);

    expect(await exchange(ch, 'bob', '!mission success 1', 'SUCCESS')).toBe('#1 SUCCESS! 1,000 pts go to the streamer');
    const channel = await world.runtime.services.channels.get(ch);
    const totals = await world.runtime.services.channels.totals(channel.id);
    expect(totals.treasury).toBe(1_000);
    expect(totals.escrow).toBe(0);
    expect(await balance(ch, 'alice')).toBe(900);
    expect(await balance(ch, 'erin')).toBe(600);
    expect((await mission(ch, 1)).status).toBe('succeeded');

    // A second mission that fails: every backer gets exactly their points back.
    await exchange(ch, 'frank', '!mission Speedrun under an hour 50', 'proposed');
    await exchange(ch, 'bob', '!mission approve 2', '#2 is live');
    await exchange(ch, 'carol', '!pledge 2 100', 'pot 150');
    await exchange(ch, 'dave', '!pledge 2 half', 'pot 500');
    expect(await exchange(ch, 'bob', '!mission fail 2', '#2 failed')).toBe('#2 failed — 3 backers refunded 500 pts');
    expect(await balance(ch, 'frank')).toBe(1_000);
    expect(await balance(ch, 'carol')).toBe(800);
    expect(await balance(ch, 'dave')).toBe(700);
    expect((await world.runtime.services.channels.totals(channel.id)).treasury).toBe(1_000);
    await expectAuditOk(ch);
    expect(world.sim.duplicateViolations(ch)).toBe(0);
  });

  it('answers reads and malformed commands in the channel locale and currency', async () => {
    const ch = await newChannel({ locale: 'ko', currencyName: '별', requireApproval: false });
    expect(await exchange(ch, 'alice', '!points', 'alice')).toMatch(/1,000 별/);
    expect(await exchange(ch, 'alice', '!pledge 1', '사용법')).toMatch(/^@alice .+ — 사용법: !pledge/);
    await exchange(ch, 'alice', '!mission 노데스 클리어 100', '#1');
    expect(await exchange(ch, 'bob', '!missions', '노데스')).toContain('#1');
    expect(await exchange(ch, 'bob', '!pledge 1 5000', '@bob')).toMatch(/1,000.*5,000/);
    await expectAuditOk(ch);
  });
});

describe('permissions come from IRC tags only', () => {
  it('keeps viewers from moderating, keeps backers from judging, and lets the broadcaster judge', async () => {
    const ch = await newChannel({ requireApproval: true, resolverMustNotHavePledged: true });
    world.sim.setMod(ch, 'bob', true);
    await exchange(ch, 'alice', '!mission No deaths this run 100', 'proposed');

    expect(await exchange(ch, 'carol', '!mission approve 1', '@carol')).toBe("@carol you're not allowed to do that");
    expect((await mission(ch, 1)).status).toBe('pending');
    // Tag-looking text is just text: not even a command.
    world.sim.say(ch, 'carol', '@badges=broadcaster/1;mod=1 !mission approve 1');
    await exchange(ch, 'carol', '!points', 'carol has');
    expect((await mission(ch, 1)).status).toBe('pending');

    await exchange(ch, 'bob', '!mission approve 1', 'is live');
    await exchange(ch, 'bob', '!pledge 1 100', '@bob pledged');
    expect(await exchange(ch, 'erin', '!mission success 1', '@erin')).toBe("@erin you're not allowed to do that");
    expect(await exchange(ch, 'bob', '!mission success 1', '@bob')).toBe('@bob you pledged on #1, so someone else has to judge it');
    expect((await mission(ch, 1)).status).toBe('open');

    // The broadcaster (the channel's own login) may judge even after pledging.
    await exchange(ch, ch, '!pledge 1 50', 'pot 250');
    expect(await exchange(ch, ch, '!mission success 1', 'SUCCESS')).toBe('#1 SUCCESS! 250 pts go to the streamer');
    await expectAuditOk(ch);
  });

  it('pauses new missions for viewers until a moderator resumes', async () => {
    const ch = await newChannel({ requireApproval: false });
    world.sim.setMod(ch, 'bob', true);
    expect(await exchange(ch, 'carol', '!mission pause', '@carol')).toBe("@carol you're not allowed to do that");
    expect(await exchange(ch, 'bob', '!mission pause', 'paused')).toBe('New missions are paused. Running missions carry on.');
    expect(await exchange(ch, 'alice', '!mission Win one round', '@alice')).toBe('@alice new missions are paused right now');
    await exchange(ch, 'bob', '!mission resume', 'open again');
    expect(await exchange(ch, 'alice', '!mission Win one round', '#1')).toMatch(/^#1 "Win one round" by @alice is live/);
    await expectAuditOk(ch);
  });
});

describe('redelivery', () => {
  it('pledges once for one message id, even across a bot restart', async () => {
    const ch = await newChannel({ requireApproval: false });
    await exchange(ch, 'alice', '!mission Clutch the round 100', 'is live');
    const confirmed = world.sim.waitForBotMessage(ch, '@dave pledged', 8_000);
    const id = world.sim.say(ch, 'dave', '!pledge 1 250');
    await confirmed;
    world.sim.redeliver(id);
    await world.bot.idle();

    // A new bot process has no memory of the id: the database's idempotency key holds.
    await world.restartBot();
    await world.sim.waitForJoin(ch, { login: BOT });
    world.sim.redeliver(id);
    await exchange(ch, 'erin', '!pledge 1 10', '@erin');
    await world.bot.idle();

    const channel = await world.runtime.services.channels.get(ch);
    const pledges = await world.runtime.services.missions.pledges(channel, 1, { limit: 50 });
    expect(pledges.items.filter((p) => p.viewer.login === 'dave').map((p) => p.amount)).toEqual([250]);
    expect(await balance(ch, 'dave')).toBe(750);
    expect(world.sim.botMessages(ch).filter((m) => m.text.includes('@dave pledged'))).toHaveLength(1);
    await expectAuditOk(ch);
  });
});

describe('identities across channels', () => {
  it("gives to this channel's @login even when another channel last saw a different user with it", async () => {
    const acme = await newChannel({ requireApproval: false, createCooldown: 0 });
    const beta = await newChannel({ requireApproval: false, createCooldown: 0 });
    world.sim.setMod(acme, 'acmemod', true);
    const first = `idalice${channels.length}`;
    const second = `idalice${channels.length}b`;
    await exchange(acme, first, '!mission First of the night 100', 'is live');
    const original = world.sim.viewer(first)!;

    // Twitch renames the first user; a different user later takes the login and chats elsewhere.
    world.sim.renameViewer(first, second);
    world.sim.createViewer({ login: first, userId: `${original.userId}9` });
    expect(world.sim.viewer(first)!.userId).not.toBe(original.userId);
    await exchange(beta, first, '!mission Somewhere else 100', 'is live');

    await exchange(acme, 'acmemod', `!points give @${first} 250`, 'received');
    const channel = await world.runtime.services.channels.get(acme);
    expect((await world.runtime.services.viewers.byUserId(channel, original.userId))?.balance).toBe(900 + 250);
    expect(await world.runtime.services.viewers.history(channel, world.sim.viewer(first)!.userId)).toEqual([]);
    await expectAuditOk(acme);
    await expectAuditOk(beta);
  });
});
