/**
 * A local, Twitch-IRC-compatible chat server over websockets, for tests and `npm run demo`.
 * The real tmi.js client connects to it with `{ server: host, port, secure: false }`.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { actionBody, channelName, channelTarget, sanitizeTrailing } from './irc.js';
import { assessMessage, TWITCH_LIMITS, type ChatLimits, type Violation } from './limits.js';
import { createSession, type AuthResult, type LineParts, type Session } from './session.js';
import { replyTags, replyText, sharedChatTags, type ReplyParent } from './thread-tags.js';
import type { BotMessage, BotMessageMatcher, ChatSimulator, ChatSimulatorOptions } from './types.js';
import { createUserRegistry, type TagOverrides } from './users.js';

export type { BotMessage, BotMessageMatcher, ChatSimulator, ChatSimulatorOptions, SayOptions } from './types.js';

const SERVER = 'tmi.twitch.tv';
const MAX_REMEMBERED = 10_000;

function tokenOf(value: string): string {
  return value.replace(/^oauth:/i, '');
}

function toPredicate(match: BotMessageMatcher | undefined): (m: BotMessage) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'string') return (m) => m.text.includes(match);
  if (match instanceof RegExp) return (m) => match.test(m.text);
  return match;
}

/** Starts a simulator listening on `host:port`. */
export async function startChatSimulator(options: ChatSimulatorOptions = {}): Promise<ChatSimulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const limits: ChatLimits = { ...TWITCH_LIMITS, ...options.limits };
  const registry = createUserRegistry();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const sessions = new Set<Session>();
  const sent: BotMessage[] = [];
  const bySender = new Map<string, BotMessage[]>();
  const delivered = new Map<string, { channel: string; parts: LineParts }>();
  // Eviction order of `delivered`, oldest first from `evictAt`. Not `delivered.keys().next()`:
  // a Map keeps deleted entries as holes until it rehashes, so finding its first live key scans
  // thousands of holes (8 µs per say at 10,000 remembered, the storm bench's hottest function).
  const remembered: (string | undefined)[] = new Array<string | undefined>(MAX_REMEMBERED);
  let evictAt = 0;
  const lockedUntil = new Map<string, number>();
  const restrictions = new Map<string, { msgId: string; text: string }>();
  let validTokens: Set<string> | null = options.validTokens ? new Set([...options.validTokens].map(tokenOf)) : null;
  let tokenCheck: ((token: string) => boolean) | null = null;
  let accepting = true;
  let nextId = 1;

  const wss = new WebSocketServer({
    host,
    port: options.port ?? 0,
    verifyClient: (_info, done) => {
      if (accepting) return done(true);
      events.emit('refused');
      return done(false, 503, 'Service Unavailable');
    },
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const port = (wss.address() as AddressInfo).port;

  const inChannel = (channel: string): Session[] => [...sessions].filter((s) => s.registered && s.channels.has(channel));

  const broadcast = (channel: string, parts: LineParts, except?: Session): void => {
    for (const s of inChannel(channel)) if (s !== except) s.send([parts]);
  };

  function authenticate(_login: string, pass: string | undefined): AuthResult {
    if (pass === undefined || !/^oauth:\S+$/i.test(pass)) return 'improper';
    if (tokenCheck) return tokenCheck(tokenOf(pass)) ? 'ok' : 'failed';
    return validTokens === null || validTokens.has(tokenOf(pass)) ? 'ok' : 'failed';
  }

  function handlePrivmsg(session: Session, channel: string, raw: string): void {
    const login = session.login;
    if (!login) return;
    const at = now();
    const r = registry.roles(channel, login);
    const privileged = r.mod || r.broadcaster;
    const body = actionBody(raw);
    const text = body ?? raw;
    const history = bySender.get(`${channel} ${login}`) ?? [];
    // Only the recent tail can matter; scanning back keeps long benchmark runs linear.
    const horizon = at - Math.max(limits.windowMs, limits.duplicateWindowMs);
    let start = history.length;
    while (start > 0 && (history[start - 1]?.at ?? 0) > horizon) start--;
    const prior = history.slice(start);
    const violations = assessMessage(prior, { text, at, privileged }, limits);
    const id = randomUUID();
    let dropped = false;
    let relayed = raw;
    const notice = (msgId: string, trailing: string): void => {
      session.send([{ tags: [['msg-id', msgId]], prefix: SERVER, command: 'NOTICE', params: [channelTarget(channel)], trailing }]);
    };
    const restriction = restrictions.get(`${channel} ${login}`);
    if (restriction) {
      dropped = true;
      notice(restriction.msgId, restriction.text);
    } else if (options.enforceLimits) {
      const locked = (lockedUntil.get(login) ?? 0) > at;
      if (violations.includes('rate') && !locked) lockedUntil.set(login, at + limits.lockoutMs);
      dropped = locked || violations.includes('rate') || violations.includes('duplicate');
      // Below moderator, Twitch refuses a second line within 1 s with msg_ratelimit.
      const tooSoon = !privileged && (prior.at(-1)?.at ?? Number.NEGATIVE_INFINITY) > at - 1_000;
      if (violations.includes('duplicate') && !locked) {
        notice('msg_duplicate', 'Your message was not sent because it is identical to the previous one you sent, less than 30 seconds ago.');
      } else if (tooSoon && !locked) {
        dropped = true;
        notice('msg_ratelimit', 'Your message was not sent because you are sending messages too quickly.');
      }
      if (!dropped && violations.includes('length')) relayed = [...raw].slice(0, limits.maxLength).join('');
    }
    const message: BotMessage = Object.freeze({ channel, login, text, action: body !== null, at, id, privileged, violations, dropped });
    sent.push(message);
    history.push(message);
    bySender.set(`${channel} ${login}`, history);
    if (!dropped) {
      const firstMsg = registry.markChatted(channel, login);
      broadcast(channel, {
        tags: registry.privmsgTags(channel, login, { id, now: at, firstMsg }),
        prefix: `${login}!${login}@${login}.${SERVER}`, command: 'PRIVMSG', params: [channelTarget(channel)], trailing: relayed,
      }, session);
    }
    // Twitch confirms every PRIVMSG it shows with the sender's USERSTATE for that channel; a
    // refused one gets its NOTICE instead.
    if (!dropped && session.hasCap('twitch.tv/commands')) {
      session.send([{ tags: registry.userstateTags(channel, login, id), prefix: SERVER, command: 'USERSTATE', params: [channelTarget(channel)] }]);
    }
    events.emit('bot-message', message);
  }

  wss.on('connection', (ws) => {
    const session = createSession(ws, nextId++, {
      registry,
      authenticate,
      onRegistered: () => events.emit('registered', session),
      onJoin: (s, channel) => {
        for (const other of inChannel(channel)) {
          if (other !== s && other.hasCap('twitch.tv/membership') && s.login) {
            other.send([{ prefix: `${s.login}!${s.login}@${s.login}.${SERVER}`, command: 'JOIN', params: [channelTarget(channel)] }]);
          }
        }
        events.emit('join', channel, s.login);
      },
      onPart: (s, channel) => {
        for (const other of inChannel(channel)) {
          if (other.hasCap('twitch.tv/membership') && s.login) {
            other.send([{ prefix: `${s.login}!${s.login}@${s.login}.${SERVER}`, command: 'PART', params: [channelTarget(channel)] }]);
          }
        }
      },
      onPrivmsg: handlePrivmsg,
      onPong: (s) => events.emit('pong', s),
      onLine: options.onLine ? (s, dir, line) => options.onLine?.(dir, line, s.id) : undefined,
    });
    sessions.add(session);
    ws.on('message', (data) => session.receive(data.toString()));
    ws.on('close', () => sessions.delete(session));
    ws.on('error', () => sessions.delete(session));
  });

  function waitFor<A extends unknown[], T>(event: string, accept: (...args: A) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const listener = (...args: unknown[]): void => {
        // The emitter is private, so each event's arguments are known to match `A`.
        const result = accept(...(args as A));
        if (result === undefined) return;
        clearTimeout(timer);
        events.off(event, listener);
        resolve(result);
      };
      const timer = setTimeout(() => {
        events.off(event, listener);
        reject(new Error(`chat simulator: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      events.on(event, listener);
    });
  }

  function parentOf(id: string): ReplyParent {
    const bot = sent.find((m) => m.id === id);
    const line = delivered.get(id);
    const login = bot?.login ?? line?.parts.prefix?.split('!')[0];
    if (login === undefined) throw new Error(`chat simulator: no message ${id} to reply to`);
    const user = registry.ensureViewer(login);
    return { id, login: user.login, userId: user.userId, displayName: user.displayName, text: bot?.text ?? line?.parts.trailing ?? '' };
  }

  const countViolations = (kind: Violation, channel?: string): number =>
    sent.filter((m) => (channel === undefined || m.channel === channelName(channel)) && m.violations.includes(kind)).length;

  const joined = (channel: string, login?: string): boolean =>
    inChannel(channelName(channel)).some((s) => login === undefined || s.login === login.toLowerCase());

  return {
    url: `ws://${host}:${port}`,
    host,
    port,
    createViewer: (init) => registry.createViewer(init),
    viewer: (login) => registry.getViewer(login),
    renameViewer: (oldLogin, newLogin) => registry.renameViewer(oldLogin, newLogin),
    setMod(channel, login, on) {
      const name = channelName(channel);
      registry.setMod(name, login, on);
      const who = registry.ensureViewer(login).login;
      for (const s of inChannel(name)) {
        if (s.hasCap('twitch.tv/membership')) {
          s.send([{ prefix: 'jtv', command: 'MODE', params: [channelTarget(name), on ? '+o' : '-o', who] }]);
        }
        if (s.login === who && s.hasCap('twitch.tv/commands')) {
          s.send([{ tags: registry.userstateTags(name, who), prefix: SERVER, command: 'USERSTATE', params: [channelTarget(name)] }]);
        }
      }
    },
    setBroadcaster: (channel, login) => registry.setBroadcaster(channelName(channel), login),
    say(channel, login, text, sayOptions = {}) {
      const name = channelName(channel);
      const viewer = registry.ensureViewer(login);
      const id = sayOptions.id ?? randomUUID();
      const firstMsg = registry.markChatted(name, viewer.login);
      let body = text;
      let extra: TagOverrides = {};
      if (sayOptions.replyTo !== undefined) {
        const parent = parentOf(sayOptions.replyTo);
        body = replyText(parent, text);
        extra = replyTags(parent);
      }
      if (sayOptions.sharedFrom !== undefined) extra = { ...extra, ...sharedChatTags(registry.roomId(channelName(sayOptions.sharedFrom))) };
      const clean = sanitizeTrailing(body);
      const parts: LineParts = {
        tags: registry.privmsgTags(name, viewer.login, { id, now: now(), firstMsg }, { ...extra, ...sayOptions.tags }),
        prefix: `${viewer.login}!${viewer.login}@${viewer.login}.${SERVER}`,
        command: 'PRIVMSG',
        params: [channelTarget(name)],
        trailing: sayOptions.action ? `\u0001ACTION ${clean}\u0001` : clean,
      };
      // Redelivery is for recent messages; cap the memory a long benchmark run can take.
      if (!delivered.has(id)) {
        const evicted = remembered[evictAt];
        if (evicted !== undefined) delivered.delete(evicted);
        remembered[evictAt] = id;
        evictAt = (evictAt + 1) % MAX_REMEMBERED;
      }
      delivered.set(id, { channel: name, parts });
      broadcast(name, parts);
      return id;
    },
    redeliver(id) {
      const earlier = delivered.get(id);
      if (!earlier) throw new Error(`chat simulator: no message ${id} to redeliver`);
      broadcast(earlier.channel, earlier.parts);
    },
    sayRaw(line, channel) {
      const targets = channel === undefined ? [...sessions].filter((s) => s.registered) : inChannel(channelName(channel));
      for (const s of targets) s.sendRaw([line]);
    },
    onBotMessage(handler) {
      events.on('bot-message', handler);
      return () => events.off('bot-message', handler);
    },
    botMessages: (channel) => (channel === undefined ? [...sent] : sent.filter((m) => m.channel === channelName(channel))),
    waitForBotMessage(channel, match, timeoutMs = 5000) {
      const name = channelName(channel);
      const pred = toPredicate(match);
      return waitFor('bot-message', (m: BotMessage) => (m.channel === name && pred(m) ? m : undefined), timeoutMs,
        `a bot message in #${name}${match === undefined ? '' : ` matching ${String(match)}`}`);
    },
    rateViolations: (channel) => countViolations('rate', channel),
    duplicateViolations: (channel) => countViolations('duplicate', channel),
    lengthViolations: (channel) => countViolations('length', channel),
    dropConnections() {
      for (const s of sessions) s.terminate();
      sessions.clear();
    },
    setAcceptConnections(accept) {
      accepting = accept;
    },
    waitForRefusedConnection(timeoutMs = 5000) {
      return waitFor('refused', () => true, timeoutMs, 'a refused connection attempt').then(() => undefined);
    },
    setValidTokens(tokens) {
      tokenCheck = typeof tokens === 'function' ? tokens : null;
      validTokens = tokens === null || typeof tokens === 'function' ? null : new Set([...tokens].map(tokenOf));
    },
    sendReconnect() {
      for (const s of sessions) if (s.registered) s.send([{ prefix: SERVER, command: 'RECONNECT' }]);
    },
    setRestriction(channel, login, restriction) {
      const key = `${channelName(channel)} ${login.toLowerCase()}`;
      if (restriction === null) restrictions.delete(key);
      else restrictions.set(key, restriction);
    },
    setRoomMode(channel, mode) {
      const name = channelName(channel);
      const tags: [string, string][] = [['room-id', registry.roomstateTags(name).find(([k]) => k === 'room-id')?.[1] ?? '']];
      if (mode.slow !== undefined) tags.push(['slow', String(mode.slow)]);
      if (mode.followersOnly !== undefined) tags.push(['followers-only', String(mode.followersOnly)]);
      if (mode.subsOnly !== undefined) tags.push(['subs-only', mode.subsOnly ? '1' : '0']);
      if (mode.emoteOnly !== undefined) tags.push(['emote-only', mode.emoteOnly ? '1' : '0']);
      broadcast(name, { tags, prefix: SERVER, command: 'ROOMSTATE', params: [channelTarget(name)] });
    },
    async ping(timeoutMs = 2000) {
      const targets = [...sessions].filter((s) => s.registered);
      if (targets.length === 0) return 0;
      const answered = new Set<Session>();
      const done = waitFor('pong', (s: Session) => {
        if (targets.includes(s)) answered.add(s);
        return answered.size === targets.length ? true : undefined;
      }, timeoutMs, 'PONG').catch(() => false);
      for (const s of targets) s.send([{ command: 'PING', trailing: SERVER }]);
      await done;
      return answered.size;
    },
    joined,
    waitForJoin(channel, joinOptions = {}) {
      const name = channelName(channel);
      const login = joinOptions.login?.toLowerCase();
      if (joined(name, login)) return Promise.resolve();
      return waitFor('join', (c: string, l: string | undefined) => (c === name && (login === undefined || l === login) ? true : undefined),
        joinOptions.timeoutMs ?? 5000, `a join of #${name}${login ? ` by ${login}` : ''}`).then(() => undefined);
    },
    connectionCount: () => [...sessions].filter((s) => s.registered).length,
    async close() {
      for (const s of sessions) s.terminate();
      sessions.clear();
      events.removeAllListeners();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
