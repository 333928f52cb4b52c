/**
 * One client connection to the simulator: the IRC registration handshake (CAP, PASS, NICK),
 * JOIN/PART, PING/PONG and PRIVMSG, answered the way Twitch's chat server answers them.
 * Everything that concerns other connections goes through {@link SessionHost}.
 */
import type { WebSocket } from 'ws';
import { channelName, channelTarget, formatLine, parseLine, splitFrame } from './irc.js';
import type { UserRegistry } from './users.js';

/** The capabilities Twitch offers. */
export const TWITCH_CAPS = ['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership'] as const;

/** Outcome of checking PASS for a NICK. */
export type AuthResult = 'ok' | 'improper' | 'failed';

/** Arguments of {@link formatLine}. */
export type LineParts = Parameters<typeof formatLine>[0];

/** What a session needs from the simulator around it. */
export interface SessionHost {
  registry: UserRegistry;
  authenticate(login: string, pass: string | undefined): AuthResult;
  onRegistered(session: Session): void;
  onJoin(session: Session, channel: string): void;
  onPart(session: Session, channel: string): void;
  onPrivmsg(session: Session, channel: string, text: string): void;
  onPong(session: Session): void;
  onLine?(session: Session, direction: 'in' | 'out', line: string): void;
}

/** A connected client as the simulator sees it. */
export interface Session {
  readonly id: number;
  /** Set once NICK succeeded. */
  readonly login: string | undefined;
  readonly anonymous: boolean;
  readonly registered: boolean;
  readonly channels: ReadonlySet<string>;
  hasCap(cap: (typeof TWITCH_CAPS)[number]): boolean;
  /**
   * Queues lines for the client: everything queued in one turn of the event loop leaves in one
   * websocket frame (up to 500 lines), CRLF-separated as Twitch does; tags are dropped without
   * the tags capability.
   */
  send(lines: readonly LineParts[]): void;
  sendRaw(lines: readonly string[]): void;
  /** Handles one websocket frame from the client. */
  receive(frame: string): void;
  terminate(): void;
}

const SERVER = 'tmi.twitch.tv';
/** Lines packed into one websocket frame at most. */
const MAX_LINES_PER_FRAME = 500;
const JUSTINFAN = /^justinfan\d+$/;

/** Wraps a freshly accepted websocket. */
export function createSession(ws: WebSocket, id: number, host: SessionHost): Session {
  const caps = new Set<string>();
  const channels = new Set<string>();
  let pass: string | undefined;
  let login: string | undefined;
  let registered = false;
  let closed = false;

  // Lines queued in one turn of the event loop leave in one frame, as Twitch's servers pack a
  // busy channel's messages (tmi.js splits frames on CRLF).
  let outbox: string[] = [];
  let flushing: NodeJS.Immediate | null = null;
  const flush = (): void => {
    if (flushing !== null) clearImmediate(flushing);
    flushing = null;
    for (let at = 0; at < outbox.length && !closed && ws.readyState === ws.OPEN; at += MAX_LINES_PER_FRAME) {
      ws.send(outbox.slice(at, at + MAX_LINES_PER_FRAME).join('\r\n') + '\r\n');
    }
    outbox = [];
  };

  const sendRaw = (lines: readonly string[]): void => {
    if (closed || ws.readyState !== ws.OPEN || lines.length === 0) return;
    for (const line of lines) {
      host.onLine?.(session, 'out', line);
      outbox.push(line);
    }
    flushing ??= setImmediate(flush);
  };

  const send = (lines: readonly LineParts[]): void => {
    const withTags = caps.has('twitch.tv/tags');
    sendRaw(lines.map((l) => formatLine(withTags ? l : { ...l, tags: undefined })));
  };

  const close = (): void => {
    flush();
    closed = true;
    ws.close();
  };

  const userPrefix = (nick: string): string => `${nick}!${nick}@${nick}.${SERVER}`;

  function handleCap(params: string[]): void {
    // Clients send `CAP REQ :caps` (no target); servers answer `CAP * ACK :caps`.
    const sub = (params[0] ?? '').toUpperCase();
    if (sub === 'LS') {
      send([{ prefix: SERVER, command: 'CAP', params: ['*', 'LS'], trailing: TWITCH_CAPS.join(' ') }]);
    } else if (sub === 'REQ') {
      const requested = (params[1] ?? '').split(' ').filter(Boolean);
      // Twitch, like IRCv3, acks or naks a request as a whole.
      const ok = requested.every((c) => (TWITCH_CAPS as readonly string[]).includes(c));
      if (ok) for (const c of requested) caps.add(c);
      send([{ prefix: SERVER, command: 'CAP', params: ['*', ok ? 'ACK' : 'NAK'], trailing: requested.join(' ') }]);
    }
  }

  function handleNick(nick: string | undefined): void {
    if (registered || nick === undefined) return;
    const wanted = nick.toLowerCase();
    const anonymous = JUSTINFAN.test(wanted);
    if (!anonymous) {
      const auth = /^[a-z0-9_]{1,25}$/.test(wanted) ? host.authenticate(wanted, pass) : 'failed';
      if (auth !== 'ok') {
        const text = auth === 'improper' ? 'Improperly formatted auth' : 'Login authentication failed';
        send([{ prefix: SERVER, command: 'NOTICE', params: ['*'], trailing: text }]);
        close();
        return;
      }
    }
    login = wanted;
    registered = true;
    const welcome: LineParts[] = [
      { prefix: SERVER, command: '001', params: [wanted], trailing: 'Welcome, GLHF!' },
      { prefix: SERVER, command: '002', params: [wanted], trailing: `Your host is ${SERVER}` },
      { prefix: SERVER, command: '003', params: [wanted], trailing: 'This server is rather new' },
      { prefix: SERVER, command: '004', params: [wanted], trailing: '-' },
      { prefix: SERVER, command: '375', params: [wanted], trailing: '-' },
      { prefix: SERVER, command: '372', params: [wanted], trailing: 'You are in a maze of twisty passages, all alike.' },
      { prefix: SERVER, command: '376', params: [wanted], trailing: '>' },
    ];
    if (!anonymous && caps.has('twitch.tv/commands')) {
      welcome.push({ tags: host.registry.globalUserstateTags(wanted), prefix: SERVER, command: 'GLOBALUSERSTATE' });
    }
    send(welcome);
    host.onRegistered(session);
  }

  function handleJoin(targets: string | undefined): void {
    if (!login) return;
    for (const target of (targets ?? '').split(',')) {
      const name = channelName(target);
      if (!/^[a-z0-9_]{1,25}$/.test(name) || channels.has(name)) continue;
      channels.add(name);
      const chan = channelTarget(name);
      const lines: LineParts[] = [
        { prefix: userPrefix(login), command: 'JOIN', params: [chan] },
        { prefix: `${login}.${SERVER}`, command: '353', params: [login, '=', chan], trailing: login },
        { prefix: `${login}.${SERVER}`, command: '366', params: [login, chan], trailing: 'End of /NAMES list' },
      ];
      if (caps.has('twitch.tv/commands')) {
        // tmi.js counts a join as done on ROOMSTATE after USERSTATE, so keep this order.
        if (!session.anonymous) {
          lines.push({ tags: host.registry.userstateTags(name, login), prefix: SERVER, command: 'USERSTATE', params: [chan] });
        }
        lines.push({ tags: host.registry.roomstateTags(name), prefix: SERVER, command: 'ROOMSTATE', params: [chan] });
      }
      send(lines);
      host.onJoin(session, name);
    }
  }

  function handlePart(targets: string | undefined): void {
    if (!login) return;
    for (const target of (targets ?? '').split(',')) {
      const name = channelName(target);
      if (!channels.delete(name)) continue;
      send([{ prefix: userPrefix(login), command: 'PART', params: [channelTarget(name)] }]);
      host.onPart(session, name);
    }
  }

  function handleLine(line: string): void {
    host.onLine?.(session, 'in', line);
    const msg = parseLine(line);
    if (!msg) return;
    const [first, second] = msg.params;
    switch (msg.command) {
      case 'CAP': return handleCap(msg.params);
      case 'PASS': pass = first; return;
      case 'NICK': return handleNick(first);
      case 'PING': return send([{ command: 'PONG', trailing: first ?? SERVER }]);
      case 'PONG': return host.onPong(session);
      case 'QUIT': return close();
      case 'USER': return;
      default: break;
    }
    if (!registered || !login) return;
    switch (msg.command) {
      case 'JOIN': return handleJoin(first);
      case 'PART': return handlePart(first);
      case 'PRIVMSG':
        if (session.anonymous || first === undefined || second === undefined) return;
        return host.onPrivmsg(session, channelName(first), second);
      default:
        send([{ prefix: SERVER, command: '421', params: [login, msg.command], trailing: 'Unknown command' }]);
    }
  }

  const session: Session = {
    id,
    get login() { return login; },
    get anonymous() { return login !== undefined && JUSTINFAN.test(login); },
    get registered() { return registered; },
    channels,
    hasCap: (cap) => caps.has(cap),
    send,
    sendRaw,
    receive(frame) {
      for (const line of splitFrame(frame)) handleLine(line);
    },
    terminate() {
      closed = true;
      ws.terminate();
    },
  };
  return session;
}
