import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createTmiClient } from '../../bot/tmi-client.js';
import type { BotChannelState, ChatClient, IncomingMessage } from '../../server/ports/chat-client.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';

let sim: ChatSimulator;
let client: ChatClient;
const states: { channel: string; state: BotChannelState }[] = [];
const messages: IncomingMessage[] = [];

beforeAll(async () => {
  sim = await startChatSimulator();
  client = createTmiClient({ ircUrl: sim.url, username: 'missionbot', token: 'oauth:test', logger: pino({ level: 'silent' }) });
  client.onUserState((channel, state) => states.push({ channel, state }));
  client.onMessage((m) => messages.push(m));
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

describe('the tmi.js chat client', () => {
  it("reports the bot's standing from every USERSTATE, an unmod included", async () => {
    await client.join('standing');
    await expect.poll(() => sim.joined('standing', 'missionbot')).toBe(true);
    const seen = (): BotChannelState[] => states.filter((s) => s.channel === 'standing').map((s) => s.state);

    sim.setMod('standing', 'missionbot', true);
    await expect.poll(() => seen().at(-1)).toEqual({ mod: true, broadcaster: false });
    sim.setMod('standing', 'missionbot', false);
    await expect.poll(() => seen().at(-1)).toEqual({ mod: false, broadcaster: false });
  });

  it('still hands over chat lines with their tags once USERSTATE is read before tmi.js', async () => {
    await client.join('lines');
    await expect.poll(() => sim.joined('lines', 'missionbot')).toBe(true);
    const viewer = sim.createViewer({ login: 'tagged' });
    sim.setMod('lines', 'tagged', true);
    sim.say('lines', viewer.login, '!pledge 1 50');

    await expect.poll(() => messages.find((m) => m.channel === 'lines')).toMatchObject({
      text: '!pledge 1 50',
      user: { userId: viewer.userId, login: 'tagged' },
      role: 'moderator',
    });
  });
});
