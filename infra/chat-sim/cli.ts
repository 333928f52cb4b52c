/**
 * Runs the chat simulator with a console: `npx tsx infra/chat-sim/cli.ts --port 6667 --channel demo`.
 * Point the bot at it with TWITCH_IRC_URL=ws://127.0.0.1:6667.
 */
import { parseArgs } from 'node:util';
import { attachConsole, CONSOLE_HELP } from './console.js';
import { startChatSimulator } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '6667' },
    host: { type: 'string', default: '127.0.0.1' },
    channel: { type: 'string', default: 'demo' },
    token: { type: 'string', multiple: true },
    'enforce-limits': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a port number, got ${values.port}\n`);
  process.exit(2);
}

const sim = await startChatSimulator({
  port,
  host: values.host,
  validTokens: values.token,
  enforceLimits: values['enforce-limits'],
  onLine: values.verbose ? (dir, line, id) => process.stderr.write(`${dir === 'in' ? '>>' : '<<'} [${id}] ${line}\n`) : undefined,
});
process.stdout.write(`chat simulator listening on ${sim.url} (TWITCH_IRC_URL=${sim.url})\n${CONSOLE_HELP}\n`);
const chat = attachConsole(sim, { channel: values.channel, input: process.stdin, output: process.stdout });

const shutdown = async (): Promise<void> => {
  chat.close();
  await sim.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
await chat.done;
await sim.close();
