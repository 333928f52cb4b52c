import { PassThrough } from 'node:stream';
import tmi from 'tmi.js';
import type { ChatUserstate, Client, Options } from 'tmi.js';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  assessMessage,
  attachConsole,
  parseConsoleLine,
  startChatSimulator,
  TWITCH_LIMITS,
  type ChatSimulator,
} from '../../infra/chat-sim/index.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** tmi.js keeps the per-channel USERSTATE on the instance but the typings do not expose it. */
function userstateOf(client: Client, channel: string): ChatUserstate | undefined {
  return (client as unknown as { userstate: Record<string, ChatUserstate> }).userstate[channel];
}

function waitForEvent<A extends unknown[]>(client: Client, event: string, accept: (...args: A) => boolean = () => true, timeoutMs = 3000): Promise<A> {
  // tmi.js's typed overloads do not cover a generic event name, but it is a plain EventEmitter.
  const emitter = client as unknown as NodeJS.EventEmitter;
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      if (!accept(...(args as A))) return;
      clearTimeout(timer);
      emitter.removeListener(event, listener);
      resolve(args as A);
    };
    const timer = setTimeout(() => {
      emitter.removeListener(event, listener);
      reject(new Error(`timed out waiting for tmi.js event ${event}`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}

describe('chat simulator with the real tmi.js client', () => {
  let sim: ChatSimulator;
  const clients: Client[] = [];
  let channelSeq = 0;
  const freshChannel = (): string => `chan${process.pid}x${++channelSeq}`;

  function makeClient(channels: string[], identity: Options['identity'] = { username: 'missionbot', password: 'oauth:xyz' }): Client {
    const client = new tmi.Client({
      options: { skipUpdatingEmotesets: true },
      connection: { server: sim.host, port: sim.port, secure: false, reconnect: true, reconnectInterval: 40, maxReconnectInterval: 150 },
      identity,
      channels,
      logger: silent,
    });
    clients.push(client);
    return client;
  }

  async function connectAndJoin(channel: string, identity?: Options['identity']): Promise<Client> {
    const client = makeClient([channel], identity);
    const joined = waitForEvent<[string, string, boolean]>(client, 'join', (_c, _u, self) => self);
    await client.connect();
    await joined;
    return client;
  }

  beforeAll(async () => {
    sim = await startChatSimulator();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => (c.readyState() === 'OPEN' ? c.disconnect().catch(() => undefined) : undefined)));
    sim.setAcceptConnections(true);
    sim.setValidTokens(null);
  });

  afterAll(async () => {
    await sim.close();
  });

  it('logs tmi.js in and joins the configured channel', async () => {
    const channel = freshChannel();
    const client = await connectAndJoin(channel);
    expect(client.getUsername()).toBe('missionbot');
    expect(client.getChannels()).toEqual([`#${channel}`]);
    expect(sim.joined(channel, 'missionbot')).toBe(true);
    expect(userstateOf(client, `#${channel}`)?.mod).toBe(false);
  });

  it('delivers a viewer message whose IRCv3 tags tmi.js parses into roles and ids', async () => {
    const channel = freshChannel();
    sim.createViewer({ login: 'alice', userId: '4242', displayName: 'Alice_Display', mod: true, subscriber: true, subMonths: 7 });
    const client = await connectAndJoin(channel);
    const received = waitForEvent<[string, ChatUserstate, string, boolean]>(client, 'message');
    const id = sim.say(channel, 'alice', '!pledge 1 100');
    const [chan, tags, text, self] = await received;
    expect(chan).toBe(`#${channel}`);
    expect(text).toBe('!pledge 1 100');
    expect(self).toBe(false);
    expect(tags['user-id']).toBe('4242');
    expect(tags.id).toBe(id);
    expect(tags.username).toBe('alice');
    expect(tags['display-name']).toBe('Alice_Display');
    expect(tags.mod).toBe(true);
    expect(tags.badges).toEqual({ moderator: '1', subscriber: '6' });
    expect(tags['badge-info']).toEqual({ subscriber: '7' });
    expect(tags['room-id']).toBe(sim.viewer(channel)?.userId);
    expect(tags['tmi-sent-ts']).toMatch(/^\d{13}$/);
    expect(tags['message-type']).toBe('chat');
  });

  it('gives the broadcaster and a lead moderator their badges, and escapes display names', async () => {
    const channel = freshChannel();
    sim.createViewer({ login: channel, displayName: 'Big Streamer; Real' });
    sim.createViewer({ login: 'leadmod', leadModerator: true });
    const client = await connectAndJoin(channel);
    const received: Array<[ChatUserstate, string]> = [];
    const both = waitForEvent<[string, ChatUserstate, string, boolean]>(client, 'message', (_c, t, text) => {
      received.push([t, text]);
      return received.length === 2;
    });
    sim.say(channel, channel, 'welcome');
    sim.say(channel, 'leadmod', 'hi chat');
    await both;
    const [[streamer], [lead]] = received as [[ChatUserstate, string], [ChatUserstate, string]];
    expect(streamer.badges).toEqual({ broadcaster: '1' });
    expect(streamer.mod).toBe(false);
    expect(streamer['display-name']).toBe('Big Streamer; Real');
    expect(streamer['user-id']).toBe(streamer['room-id']);
    expect(lead.badges).toEqual({ lead_moderator: '1' });
    expect(lead.mod).toBe(true);
  });

  it('records what the bot says and relays it to a second, anonymous observer', async () => {
    const channel = freshChannel();
    const bot = await connectAndJoin(channel);
    const observer = await connectAndJoin(channel, { username: 'justinfan12345' });
    const seen = waitForEvent<[string, ChatUserstate, string, boolean]>(observer, 'message');
    const recorded = sim.waitForBotMessage(channel, /pot 4,350/);
    await bot.say(channel, '#4 +12 backers, pot 4,350 pts');
    const message = await recorded;
    expect(message).toMatchObject({ channel, login: 'missionbot', text: '#4 +12 backers, pot 4,350 pts', privileged: false, dropped: false });
    expect(sim.botMessages(channel)).toHaveLength(1);
    const [, tags, text] = await seen;
    expect(text).toBe('#4 +12 backers, pot 4,350 pts');
    expect(tags.username).toBe('missionbot');
    expect(tags['user-id']).toBe(sim.viewer('missionbot')?.userId);
    expect(tags.id).toBe(message.id);
  });

  it('reflects setMod in the bot USERSTATE, tmi.js isMod and the privileged rate limit', async () => {
    const channel = freshChannel();
    const bot = await connectAndJoin(channel);
    expect(bot.isMod(`#${channel}`, 'missionbot')).toBe(false);
    const userstate = waitForEvent<[Record<string, unknown>]>(bot, 'raw_message', (m) => m.command === 'USERSTATE');
    sim.setMod(channel, 'missionbot', true);
    await userstate;
    expect(bot.isMod(`#${channel}`, 'missionbot')).toBe(true);
    expect(userstateOf(bot, `#${channel}`)?.badges).toEqual({ moderator: '1' });
    expect(userstateOf(bot, `#${channel}`)?.mod).toBe(true);

    const last = sim.waitForBotMessage(channel, 'line 25');
    for (let i = 1; i <= 25; i++) await bot.say(channel, `line ${i}`);
    expect((await last).privileged).toBe(true);
    expect(sim.rateViolations(channel)).toBe(0);

    // Echoes of the 25 lines above may still be in flight; wait for the demoted state itself.
    const demoted = waitForEvent<[{ command: string; tags: Record<string, string> }]>(bot, 'raw_message',
      (m) => m.command === 'USERSTATE' && m.tags.mod === '0');
    sim.setMod(channel, 'missionbot', false);
    await demoted;
    expect(userstateOf(bot, `#${channel}`)?.mod).toBe(false);
    expect(userstateOf(bot, `#${channel}`)?.badges ?? null).toBeNull();
  });

  it('counts rate, duplicate and length violations of a non-moderator sender', async () => {
    const channel = freshChannel();
    const bot = await connectAndJoin(channel);
    const last = sim.waitForBotMessage(channel, 'same again');
    for (let i = 1; i <= 22; i++) await bot.say(channel, `reply ${i}`);
    await bot.say(channel, 'same again');
    await last;
    // 23 messages in the window: numbers 21, 22 and 23 are over Twitch's 20.
    expect(sim.rateViolations(channel)).toBe(3);
    expect(sim.duplicateViolations(channel)).toBe(0);
    await bot.say(channel, 'same again');
    await sim.waitForBotMessage(channel, 'same again');
    expect(sim.duplicateViolations(channel)).toBe(1);
    expect(sim.lengthViolations(channel)).toBe(0);
  });

  it('makes tmi.js reconnect and rejoin after the connections drop, even while refused for a while', async () => {
    const channel = freshChannel();
    const bot = await connectAndJoin(channel);
    sim.setAcceptConnections(false);
    const retried = waitForEvent(bot, 'reconnect', () => true);
    sim.dropConnections();
    await retried;
    const secondRetry = waitForEvent(bot, 'reconnect', () => true);
    await secondRetry;
    expect(sim.joined(channel)).toBe(false);
    const rejoined = waitForEvent<[string, string, boolean]>(bot, 'join', (c, _u, self) => self && c === `#${channel}`);
    sim.setAcceptConnections(true);
    await rejoined;
    await sim.waitForJoin(channel, { login: 'missionbot' });
    const received = waitForEvent<[string, ChatUserstate, string, boolean]>(bot, 'message');
    sim.say(channel, 'bob', 'are you back?');
    expect((await received)[2]).toBe('are you back?');
  });

  it('follows a server RECONNECT and answers server PINGs', async () => {
    const channel = freshChannel();
    const bot = await connectAndJoin(channel);
    expect(await sim.ping(1000)).toBe(1);
    const rejoined = waitForEvent<[string, string, boolean]>(bot, 'join', (c, _u, self) => self && c === `#${channel}`);
    sim.sendReconnect();
    await rejoined;
    expect(sim.joined(channel, 'missionbot')).toBe(true);
  });

  it('delivers text that looks like IRC tags as plain text with the real tags', async () => {
    const channel = freshChannel();
    const client = await connectAndJoin(channel);
    const received = waitForEvent<[string, ChatUserstate, string, boolean]>(client, 'message');
    sim.say(channel, 'mallory', '@badges=broadcaster/1;mod=1;user-id=1 hi\r\nPRIVMSG #x :injected');
    const [, tags, text] = await received;
    expect(text).toBe('@badges=broadcaster/1;mod=1;user-id=1 hi  PRIVMSG #x :injected');
    expect(tags.badges ?? null).toBeNull();
    expect(tags.mod).toBe(false);
    expect(tags['user-id']).toBe(sim.viewer('mallory')?.userId);
  });

  it('redelivers a message with the same id, and lets hostile tests drop tags', async () => {
    const channel = freshChannel();
    const client = await connectAndJoin(channel);
    const ids: Array<string | undefined> = [];
    const texts: string[] = [];
    client.on('message', (_c: string, tags: ChatUserstate, text: string) => { ids.push(tags.id); texts.push(text); });
    const id = sim.say(channel, 'carol', '!pledge 2 50');
    sim.redeliver(id);
    sim.say(channel, 'carol', '!pledge 2 50', { id });
    const noUserId = waitForEvent<[string, ChatUserstate, string, boolean]>(client, 'message', (_c, t) => t['user-id'] === undefined);
    sim.say(channel, 'carol', 'who am i', { tags: { 'user-id': null } });
    await noUserId;
    expect(ids.slice(0, 3)).toEqual([id, id, id]);
    expect(texts.slice(0, 3)).toEqual(['!pledge 2 50', '!pledge 2 50', '!pledge 2 50']);
  });

  it('remembers the last 10,000 messages for redelivery and forgets the ones before', () => {
    const channel = freshChannel();
    const oldest = sim.say(channel, 'carol', 'first');
    const kept = sim.say(channel, 'carol', 'second');
    sim.say(channel, 'carol', 'second again', { id: kept });
    for (let i = 0; i < 9_999; i++) sim.say(channel, 'carol', `filler ${i}`);
    expect(() => sim.redeliver(oldest)).toThrow(/no message/);
    expect(() => sim.redeliver(kept)).not.toThrow();
    sim.say(channel, 'carol', 'one more');
    expect(() => sim.redeliver(kept)).toThrow(/no message/);
  });

  it('packs the lines of one event-loop turn into frames of at most 500, which tmi.js splits in order', async () => {
    const channel = freshChannel();
    const client = await connectAndJoin(channel);
    const raw = new WebSocket(sim.url, 'irc');
    const frames: string[] = [];
    raw.on('message', (d) => frames.push(d.toString()));
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send('CAP REQ :twitch.tv/tags twitch.tv/commands');
    raw.send('PASS oauth:abc');
    raw.send('NICK rawobserver');
    raw.send(`JOIN #${channel}`);
    await expect.poll(() => frames.some((f) => f.includes(`ROOMSTATE #${channel}`))).toBe(true);
    frames.length = 0;
    const texts: string[] = [];
    const all = new Promise<void>((resolve) => {
      client.on('message', (_c, _tags, text) => {
        texts.push(text);
        if (texts.length === 600) resolve();
      });
    });
    for (let i = 0; i < 600; i++) sim.say(channel, `viewer${i % 7}`, `line ${i}`);
    await all;
    await expect.poll(() => frames.length).toBe(2);
    expect(frames.map((f) => f.split('\r\n').filter((l) => l !== '').length)).toEqual([500, 100]);
    expect(texts).toEqual(Array.from({ length: 600 }, (_, i) => `line ${i}`));
    raw.close();
  });

  it('rejects a wrong token the way Twitch does, so tmi.js stops retrying', async () => {
    const channel = freshChannel();
    sim.setValidTokens(['goodtoken']);
    const client = makeClient([channel], { username: 'missionbot', password: 'oauth:badtoken' });
    await expect(client.connect()).rejects.toBe('Login authentication failed');
    const ok = await connectAndJoin(channel, { username: 'missionbot', password: 'oauth:goodtoken' });
    expect(ok.getChannels()).toEqual([`#${channel}`]);
  });

  it('with enforceLimits drops duplicates with a NOTICE and cuts long messages', async () => {
    const strict = await startChatSimulator({ enforceLimits: true });
    try {
      const raw = new WebSocket(strict.url, 'irc');
      const frames: string[] = [];
      const frameWaiters: Array<() => void> = [];
      raw.on('message', (d) => { frames.push(d.toString()); frameWaiters.splice(0).forEach((wake) => wake()); });
      const received = async (needle: string): Promise<string> => {
        for (;;) {
          const hit = frames.find((f) => f.includes(needle));
          if (hit !== undefined) return hit;
          await new Promise<void>((wake) => frameWaiters.push(wake));
        }
      };
      await new Promise((resolve) => raw.once('open', resolve));
      const observer = new tmi.Client({ connection: { server: strict.host, port: strict.port, secure: false, reconnect: false }, channels: ['strict'], logger: silent, options: { skipUpdatingEmotesets: true } });
      clients.push(observer);
      const joined = waitForEvent(observer, 'join');
      await observer.connect();
      await joined;
      raw.send('CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
      raw.send('PASS oauth:abc');
      raw.send('NICK rawbot');
      raw.send('JOIN #strict');
      await received('ROOMSTATE #strict');
      const welcome = frames.join('');
      expect(welcome).toContain(':tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership\r\n');
      expect(welcome.indexOf(' 001 rawbot ')).toBeLessThan(welcome.indexOf(' 376 rawbot '));
      expect(welcome).toMatch(/@badge-info=;badges=;color=#[0-9A-F]{6};display-name=rawbot;emote-sets=0;user-id=\d+;user-type= :tmi.twitch.tv GLOBALUSERSTATE\r\n/);
      expect(welcome).toMatch(/ROOMSTATE #strict\r\n$/);

      const texts: string[] = [];
      observer.on('message', (_c: string, _t: ChatUserstate, text: string) => texts.push(text));
      // A moderator: the 1 s pace below moderator is a separate test.
      strict.setMod('strict', 'rawbot', true);
      raw.send('PRIVMSG #strict :hello');
      raw.send('PRIVMSG #strict :hello');
      raw.send(`PRIVMSG #strict :${'x'.repeat(520)}`);
      await strict.waitForBotMessage('strict', (m) => m.text.length === 520);
      const last = waitForEvent(observer, 'message', (_c: string, _t: ChatUserstate, text: string) => text.startsWith('xxx'));
      await last;
      expect(await received('NOTICE')).toContain('@msg-id=msg_duplicate :tmi.twitch.tv NOTICE #strict :');
      expect(texts).toEqual(['hello', 'x'.repeat(500)]);
      expect(strict.duplicateViolations('strict')).toBe(1);
      expect(strict.lengthViolations()).toBe(1);
      expect(strict.botMessages('strict').map((m) => m.dropped)).toEqual([false, true, false]);
      raw.close();
    } finally {
      await strict.close();
    }
  });

  it('answers lines Twitch would refuse with their NOTICE and no USERSTATE, and sends ROOMSTATE mode changes', async () => {
    const strict = await startChatSimulator({ enforceLimits: true });
    try {
      const raw = new WebSocket(strict.url, 'irc');
      const frames: string[] = [];
      raw.on('message', (d) => frames.push(d.toString()));
      await new Promise((resolve) => raw.once('open', resolve));
      raw.send('CAP REQ :twitch.tv/tags twitch.tv/commands');
      raw.send('PASS oauth:abc');
      raw.send('NICK rawbot');
      raw.send('JOIN #paced');
      await strict.waitForJoin('paced', { login: 'rawbot' });
      const both = Promise.all([strict.waitForBotMessage('paced', 'first'), strict.waitForBotMessage('paced', 'second')]);
      raw.send('PRIVMSG #paced :first');
      raw.send('PRIVMSG #paced :second');
      await both;
      strict.setRestriction('paced', 'rawbot', { msgId: 'msg_timedout', text: 'You are timed out for 60 more seconds.' });
      const third = strict.waitForBotMessage('paced', 'third');
      raw.send('PRIVMSG #paced :third');
      await third;
      strict.setRoomMode('paced', { slow: 30 });
      await vi.waitFor(() => expect(frames.join('')).toMatch(/slow=30 :tmi\.twitch\.tv ROOMSTATE #paced/));
      const all = frames.join('');
      expect(all).toContain('@msg-id=msg_ratelimit :tmi.twitch.tv NOTICE #paced :Your message was not sent because you are sending messages too quickly.');
      expect(all).toContain('@msg-id=msg_timedout :tmi.twitch.tv NOTICE #paced :You are timed out for 60 more seconds.');
      expect(strict.botMessages('paced').map((m) => [m.text, m.dropped])).toEqual([['first', false], ['second', true], ['third', true]]);
      // One USERSTATE for the join and one for the one line shown.
      expect(all.match(/USERSTATE #paced/g)).toHaveLength(2);
      raw.close();
    } finally {
      await strict.close();
    }
  });

  it('lets a console type as viewers, change roles and print the bot', async () => {
    const channel = freshChannel();
    const bot = await connectAndJoin(channel);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d: Buffer) => { printed += d.toString(); });
    const chat = attachConsole(sim, { channel, input, output });
    const fromDave = waitForEvent<[string, ChatUserstate, string, boolean]>(bot, 'message', (_c, t) => t.username === 'dave');
    input.write('/mod dave\n');
    input.write('dave: !mission approve 3\n');
    const [, tags, text] = await fromDave;
    expect(text).toBe('!mission approve 3');
    expect(tags.mod).toBe(true);
    const shown = sim.waitForBotMessage(channel, '#3 is live');
    await bot.say(channel, '#3 is live!');
    await shown;
    input.end();
    await chat.done;
    expect(printed).toContain(`dave is now a moderator in #${channel}`);
    expect(printed).toContain(`[#${channel}] <missionbot> #3 is live!`);
  });
});

describe('chat simulator pure parts', () => {
  it('parses console lines', () => {
    expect(parseConsoleLine('alice: !pledge 1 100')).toEqual({ kind: 'say', login: 'alice', text: '!pledge 1 100', action: false });
    expect(parseConsoleLine('Bob: /me waves')).toEqual({ kind: 'say', login: 'bob', text: 'waves', action: true });
    expect(parseConsoleLine('/unmod @Bob')).toEqual({ kind: 'mod', login: 'bob', on: false });
    expect(parseConsoleLine('/broadcaster streamer')).toEqual({ kind: 'broadcaster', login: 'streamer' });
    expect(parseConsoleLine('/join #Other')).toEqual({ kind: 'join', channel: 'other' });
    expect(parseConsoleLine('/mod')).toMatchObject({ kind: 'error' });
    expect(parseConsoleLine('no colon here')).toMatchObject({ kind: 'error' });
    expect(parseConsoleLine('   ')).toEqual({ kind: 'empty' });
  });

  it('assesses Twitch limits over a sliding 30 s window', () => {
    const prior = Array.from({ length: 20 }, (_, i) => ({ text: `m${i}`, at: 1_000 + i }));
    expect(assessMessage(prior, { text: 'new', at: 2_000, privileged: false })).toEqual(['rate']);
    expect(assessMessage(prior, { text: 'new', at: 2_000, privileged: true })).toEqual([]);
    // The oldest message leaves the window after 30 s.
    expect(assessMessage(prior, { text: 'new', at: 1_000 + TWITCH_LIMITS.windowMs, privileged: false })).toEqual([]);
    expect(assessMessage(prior, { text: 'm19', at: 2_000, privileged: true })).toEqual(['duplicate']);
    expect(assessMessage(prior, { text: 'm19', at: 1_019 + 30_000, privileged: true })).toEqual([]);
    expect(assessMessage([], { text: 'é'.repeat(500), at: 0, privileged: false })).toEqual([]);
    expect(assessMessage([], { text: 'é'.repeat(501), at: 0, privileged: false })).toEqual(['length']);
  });
});
