/**
 * A line-based console for the simulator: type chat as viewers, change roles, and watch the
 * bot's replies. Shared by the chat-sim CLI and `npm run demo`.
 */
import { createInterface } from 'node:readline';
import { channelName } from './irc.js';
import type { BotMessage, ChatSimulator } from './server.js';

/** One parsed console line. */
export type ConsoleAction =
  | { kind: 'say'; login: string; text: string; action: boolean }
  | { kind: 'mod'; login: string; on: boolean }
  | { kind: 'sub'; login: string; on: boolean }
  | { kind: 'broadcaster'; login: string }
  | { kind: 'join'; channel: string }
  | { kind: 'raw'; line: string }
  | { kind: 'drop' }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'empty' }
  | { kind: 'error'; message: string };

const LOGIN = /^@?([A-Za-z0-9_]{1,25})$/;

export const CONSOLE_HELP = [
  'alice: !pledge 1 100   alice says something (alice: /me waves  for an action)',
  '/mod bob  /unmod bob   grant or remove moderator in the current channel',
  '/sub bob  /unsub bob   toggle the subscriber badge',
  '/broadcaster streamer  make streamer the current channel\'s broadcaster',
  '/join channel          switch the channel you type into',
  '/raw <irc line>        send a raw line to every client',
  '/drop                  cut every client connection (the bot should reconnect)',
  '/status                connections and limit violations',
].join('\n');

/** Parses one console line; pure. */
export function parseConsoleLine(line: string): ConsoleAction {
  const trimmed = line.trim();
  if (!trimmed) return { kind: 'empty' };
  if (trimmed.startsWith('/')) {
    const [command = '', ...rest] = trimmed.slice(1).split(/\s+/);
    const arg = rest[0] ?? '';
    const login = LOGIN.exec(arg)?.[1]?.toLowerCase();
    const needLogin = (make: (l: string) => ConsoleAction): ConsoleAction =>
      login ? make(login) : { kind: 'error', message: `/${command} needs a login` };
    switch (command.toLowerCase()) {
      case 'mod': return needLogin((l) => ({ kind: 'mod', login: l, on: true }));
      case 'unmod': return needLogin((l) => ({ kind: 'mod', login: l, on: false }));
      case 'sub': return needLogin((l) => ({ kind: 'sub', login: l, on: true }));
      case 'unsub': return needLogin((l) => ({ kind: 'sub', login: l, on: false }));
      case 'broadcaster': return needLogin((l) => ({ kind: 'broadcaster', login: l }));
      case 'join': {
        const channel = channelName(arg);
        return /^[a-z0-9_]{1,25}$/.test(channel) ? { kind: 'join', channel } : { kind: 'error', message: '/join needs a channel' };
      }
      case 'raw': {
        const raw = trimmed.slice(trimmed.indexOf(' ') + 1).trim();
        return rest.length > 0 && raw ? { kind: 'raw', line: raw } : { kind: 'error', message: '/raw needs a line' };
      }
      case 'drop': return { kind: 'drop' };
      case 'status': return { kind: 'status' };
      case 'help': return { kind: 'help' };
      default: return { kind: 'error', message: `unknown command /${command} (try /help)` };
    }
  }
  const m = /^@?([A-Za-z0-9_]{1,25}):\s?(.*)$/.exec(trimmed);
  if (!m || m[1] === undefined) return { kind: 'error', message: 'type "login: message", or /help' };
  const text = m[2] ?? '';
  const action = /^\/me\s/.exec(text);
  return { kind: 'say', login: m[1].toLowerCase(), text: action ? text.slice(action[0].length) : text, action: action !== null };
}

/** Options for {@link attachConsole}. */
export interface ConsoleOptions {
  /** The channel typed lines go to at first. */
  channel: string;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** A console attached to a simulator. */
export interface ChatConsole {
  /** The channel typed lines currently go to. */
  readonly channel: string;
  /** Resolves when the input ends or {@link ChatConsole.close} is called. */
  readonly done: Promise<void>;
  close(): void;
}

function describe(message: BotMessage): string {
  const notes = message.violations.length > 0 ? `  [${message.dropped ? 'dropped, ' : ''}${message.violations.join(', ')}]` : '';
  return `[#${message.channel}] <${message.login}> ${message.action ? '* ' : ''}${message.text}${notes}\n`;
}

/** Reads console lines from `input` and prints the bot's messages to `output`. */
export function attachConsole(sim: ChatSimulator, options: ConsoleOptions): ChatConsole {
  let channel = channelName(options.channel);
  const { output } = options;
  const print = (text: string): void => { output.write(text.endsWith('\n') ? text : `${text}\n`); };
  const unsubscribe = sim.onBotMessage((m) => print(describe(m)));
  const rl = createInterface({ input: options.input, terminal: false });
  const done = new Promise<void>((resolve) => rl.once('close', () => { unsubscribe(); resolve(); }));

  function run(action: ConsoleAction): void {
    switch (action.kind) {
      case 'say': sim.say(channel, action.login, action.text, { action: action.action }); return;
      case 'mod':
        sim.setMod(channel, action.login, action.on);
        print(`${action.login} is ${action.on ? 'now' : 'no longer'} a moderator in #${channel}`);
        return;
      case 'sub':
        sim.createViewer({ login: action.login, subscriber: action.on });
        print(`${action.login} is ${action.on ? 'now' : 'no longer'} a subscriber`);
        return;
      case 'broadcaster':
        sim.setBroadcaster(channel, action.login);
        print(`${action.login} is the broadcaster of #${channel}`);
        return;
      case 'join':
        channel = action.channel;
        print(`typing into #${channel}${sim.joined(channel) ? '' : ' (no client has joined it yet)'}`);
        return;
      case 'raw': sim.sayRaw(action.line); return;
      case 'drop': sim.dropConnections(); print('dropped every connection'); return;
      case 'status':
        print(`connections: ${sim.connectionCount()}, #${channel}: joined=${sim.joined(channel)} bot messages=${sim.botMessages(channel).length} ` +
          `rate=${sim.rateViolations(channel)} duplicate=${sim.duplicateViolations(channel)} length=${sim.lengthViolations(channel)}`);
        return;
      case 'help': print(CONSOLE_HELP); return;
      case 'error': print(action.message); return;
      case 'empty': return;
    }
  }

  rl.on('line', (line) => {
    try {
      run(parseConsoleLine(line));
    } catch (error) {
      // A typo in the console must not take the demo down.
      print(error instanceof Error ? error.message : String(error));
    }
  });

  return {
    get channel() { return channel; },
    done,
    close: () => rl.close(),
  };
}
