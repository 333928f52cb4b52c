import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createChannelCache } from '../../bot/channel-cache.js';
import { createMetrics } from '../../server/http/metrics.js';
import type { IncomingMessage } from '../../server/ports/chat-client.js';
import type { AppMetrics } from '../../server/ports/metrics.js';
import { createCommandRegistry } from '../../bot/commands/index.js';
import { createMessageHandler, MAX_BEHIND_MS } from '../../bot/handler.js';
import type { OutgoingMessage, PledgeNotice } from '../../bot/output/index.js';
import { createSeenIds, createTaskQueue, createUserCooldown } from '../../bot/throttle.js';
import { errors } from '../../server/domain/errors.js';
import { DEFAULT_SETTINGS } from '../../server/domain/settings.js';
import type { Channel } from '../../server/services/channels.js';
import type { Services } from '../../server/services/index.js';

const channel: Channel = {
  id: 7,
  login: 'demo',
  broadcasterId: null,
  displayName: null,
  settings: { ...DEFAULT_SETTINGS, currencyName: 'gems' },
  overlayKey: 'k',
  missionsPaused: false,
};

function setup(services: Partial<Record<keyof Services, unknown>>, cooldownMs = 2_000, metrics?: Pick<AppMetrics, 'pledgesRefused'>) {
  let clock = 1_000;
  const sent: { channel: string; message: OutgoingMessage }[] = [];
  const notices: PledgeNotice[] = [];
  const tasks = createTaskQueue(4);
  const logger = pino({ level: 'silent' });
  const errorLog = vi.spyOn(logger, 'error');
  const handle = createMessageHandler({
    services: services as unknown as Services,
    channels: createChannelCache(async () => channel, { ttlMs: 1_000, now: () => clock }),
    commands: createCommandRegistry(),
    enqueue: (c, message) => sent.push({ channel: c, message }),
    confirmPledge: (_c, notice) => notices.push(notice),
    cooldown: createUserCooldown(cooldownMs),
    seen: createSeenIds(),
    tasks,
    logger,
    now: () => clock,
    metrics,
  });
  let n = 0;
  const say = async (text: string, role: IncomingMessage['role'] = 'viewer', id = `m${++n}`, sentAt?: number) => {
    handle({ id, channel: 'demo', text, user: { userId: 'u1', login: 'alice', displayName: 'Alice' }, role, at: clock, ...(sentAt === undefined ? {} : { sentAt }) });
    await tasks.idle();
  };
  return { say, sent, notices, errorLog, tick: (ms: number) => (clock += ms), now: () => clock };
}

describe('the message handler', () => {
  it('pledges with the message id as idempotency key and hands the result to the coalescer', async () => {
    const pledge = vi.fn(async () => ({
      pledge: { amount: 50 },
      mission: { number: 3, pot: 150, backers: 2 },
      balance: 950,
      replayed: false,
    }));
    const t = setup({ missions: { pledge } });
    await t.say('!pledge 3 half', 'viewer', 'abc');
    expect(pledge).toHaveBeenCalledTimes(1);
    const [ch, input, actor, idem] = pledge.mock.calls[0] as unknown as [Channel, unknown, unknown, { scope: string; key: string; hash: string }];
    expect(ch.id).toBe(7);
    expect(input).toMatchObject({ number: 3, amount: { kind: 'half' }, user: { userId: 'u1' } });
    expect(actor).toEqual({ kind: 'chat', channel: 'demo', user: { userId: 'u1', login: 'alice', displayName: 'Alice' }, role: 'viewer' });
    expect(idem).toMatchObject({ scope: 'channel:7', key: 'chat:abc' });
    expect(t.notices).toEqual([expect.objectContaining({ missionNumber: 3, viewerLogin: 'alice', amount: 50, pot: 150 })]);
    // The same id again is dropped before any query.
    t.tick(5_000);
    await t.say('!pledge 3 half', 'viewer', 'abc');
    expect(pledge).toHaveBeenCalledTimes(1);
  });

  it('refuses a pledge whose line reached it more than MAX_BEHIND_MS behind chat, without asking the service, counted as behind', async () => {
    const pledge = vi.fn(async () => ({ pledge: { amount: 10 }, mission: { number: 1, pot: 20, backers: 2 }, balance: 990, replayed: false }));
    const metrics = createMetrics();
    const t = setup({ missions: { pledge } }, 0, metrics);
    await t.say('!pledge 1 10', 'viewer', 'fresh', t.now() - 30); // 30 ms on the wire: the reference
    await t.say('!pledge 1 10', 'viewer', 'edge', t.now() - 30 - MAX_BEHIND_MS);
    await t.say('!pledge 1 10', 'viewer', 'late', t.now() - 31 - MAX_BEHIND_MS);
    await t.say('!pledge 1 10', 'viewer', 'later', t.now() - 3_030);
    await t.say('!pledge 1 10', 'viewer', 'unstamped');
    expect(pledge).toHaveBeenCalledTimes(3);
    expect(t.sent).toEqual([{ channel: 'demo', message: { text: 'Too many pledges at once; try again in a moment', priority: 'error' } }]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^mission_link_pledges_refused_total\{reason="behind"\} 2$/m);
    expect(text).toMatch(/^mission_link_pledges_refused_total\{reason="backlog"\} 0$/m);
  });

  it('turns domain errors into a localised error reply', async () => {
    const t = setup({ missions: { pledge: async () => Promise.reject(errors.insufficientFunds(40, 100)) } });
    await t.say('!pledge 1 100');
    expect(t.sent).toEqual([{ channel: 'demo', message: { text: '@alice you have 40 gems (needed 100)', priority: 'error' } }]);
  });

  it('coalesces OVERLOADED refusals into one "too busy" line per channel per interval, without @user', async () => {
    const pledge = vi.fn(async () => Promise.reject(errors.overloaded()));
    const t = setup({ missions: { pledge } });
    for (let i = 0; i < 3; i++) {
      await t.say('!pledge 1 100');
      t.tick(3_000);
    }
    expect(pledge).toHaveBeenCalledTimes(3);
    expect(t.sent).toEqual([{ channel: 'demo', message: { text: 'Too many pledges at once; try again in a moment', priority: 'error' } }]);
    t.tick(1_000);
    await t.say('!pledge 1 100');
    expect(t.sent).toHaveLength(2);
  });

  it('answers a malformed command with what was wrong and the usage line', async () => {
    const t = setup({});
    await t.say('!pledge 1');
    expect(t.sent[0]?.message.priority).toBe('error');
    expect(t.sent[0]?.message.text).toMatch(/^@alice .* — Usage: !pledge <mission> <amount>/);
  });

  it('refuses moderator commands to viewers without touching the services', async () => {
    const act = vi.fn();
    const t = setup({ verdicts: { act } });
    await t.say('!mission approve 1');
    expect(act).not.toHaveBeenCalled();
    expect(t.sent[0]?.message.text).toBe("@alice you're not allowed to do that");
    t.tick(5_000);
    await t.say('!mission approve 1', 'moderator');
    expect(act).toHaveBeenCalledTimes(1);
  });

  it('logs unexpected errors and replies briefly, without leaking them', async () => {
    const t = setup({ missions: { pledge: async () => Promise.reject(new Error('connection reset by peer')) } });
    await t.say('!pledge 1 10');
    expect(t.errorLog).toHaveBeenCalled();
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]?.message.text).not.toContain('connection reset');
  });

  it("drops a viewer's commands inside the cooldown silently; moderators are exempt", async () => {
    const get = vi.fn(async () => ({ number: 1, text: 'x', status: 'pending', pot: 10, backers: 1, deadline: null, graceEndsAt: null }));
    const t = setup({ missions: { get } });
    await t.say('!mission 1');
    await t.say('!mission 1');
    expect(get).toHaveBeenCalledTimes(1);
    t.tick(2_000);
    await t.say('!mission 1');
    expect(get).toHaveBeenCalledTimes(2);
    await t.say('!mission 1', 'moderator');
    await t.say('!mission 1', 'moderator');
    expect(get).toHaveBeenCalledTimes(4);
  });

  it('never drops an action for the cooldown: pledges and proposals inside it all run', async () => {
    const pledge = vi.fn(async () => ({ pledge: { amount: 50 }, mission: { number: 1, pot: 150, backers: 2 }, balance: 950, replayed: false }));
    const propose = vi.fn(async () => ({ mission: { number: 2 }, replayed: false }));
    const balance = vi.fn(async () => ({ login: 'alice', balance: 1_000 }));
    const t = setup({ missions: { pledge, propose }, viewers: { byUserId: balance, byLogin: balance } });
    await t.say('!points');
    await t.say('!pledge 1 50');
    await t.say('!pledge 2 50');
    await t.say('!mission Win a round 50');
    await t.say('!pledge 1 50');
    expect(pledge).toHaveBeenCalledTimes(3);
    expect(propose).toHaveBeenCalledTimes(1);
    // The read right after the first read is still thinned.
    await t.say('!points');
    expect(balance).toHaveBeenCalledTimes(1);
  });

  it('ignores chat that is not a command', async () => {
    const t = setup({});
    await t.say('hello !pledge 1 100');
    await t.say('@badges=broadcaster/1;mod=1 !mission approve 1');
    expect(t.sent).toEqual([]);
  });
});
