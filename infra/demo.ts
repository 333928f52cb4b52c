/**
 * `npm run demo`: the whole product on one machine with nothing but Node. Starts the local chat
 * simulator, then server, worker and bot in one process on the embedded Postgres, creates the
 * `demo` channel (approval required) and lets you chat as anyone from the terminal:
 *
 *   alice: !mission Beat the boss without dying 100 30m
 *   /mod bob
 *   bob: !mission approve 1
 *   carol: !pledge 1 250
 *   bob: !mission success 1
 */
import net from 'node:net';
import { attachConsole } from './chat-sim/index.js';
import { CONSOLE_HELP } from './chat-sim/console.js';
import { createSimulatorDemoChat } from './chat-sim/demo-chat.js';
import { startChatSimulator } from './chat-sim/server.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { createProcessLogger } from '../server/http/logger.js';
import { startRoles } from '../server/processes.js';

const CHANNEL = 'demo';
const BOT = 'missionbot';

function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

async function pickPort(host: string, preferred: number): Promise<number> {
  for (let port = preferred; port < preferred + 20; port++) if (await portIsFree(port, host)) return port;
  return 0;
}

async function main(): Promise<void> {
  const sim = await startChatSimulator();
  // The bot moderates the demo channel, so its replies are not held to the 1-per-second pace.
  sim.setMod(CHANNEL, BOT, true);

  const host = process.env.HOST ?? '127.0.0.1';
  const port = process.env.PORT ?? String(await pickPort(host, 3000));
  let config;
  try {
    // loadConfig is the one reader of the environment; the demo only fills in its own defaults.
    config = loadConfig({
      ...process.env,
      PORT: port,
      PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${port}`,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      MISSION_LINK_DATA_DIR: process.env.MISSION_LINK_DATA_DIR ?? './.data/demo',
      TWITCH_IRC_URL: sim.url,
      TWITCH_BOT_USERNAME: BOT,
      TWITCH_BOT_TOKEN: 'oauth:demotoken',
      TWITCH_CHANNELS: CHANNEL,
    });
    // The demo's own directory is a default too: as root in a private checkout it may move.
    config.dataDirIsDefault = process.env.MISSION_LINK_DATA_DIR === undefined;
  } catch (err) {
    await sim.close();
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = await createProcessLogger(config);
  process.stdout.write(`chat simulator on ${sim.url}; starting Mission Link (the first run initialises the embedded Postgres)…\n`);
  const running = await startRoles(config, logger, ['server', 'worker', 'bot'], { demoChat: createSimulatorDemoChat(sim) });
  const channel = await running.runtime.services.channels.updateSettings(CHANNEL, { requireApproval: true });
  await sim.waitForJoin(CHANNEL, { login: BOT, timeoutMs: 15_000 });

  const api = running.url ?? config.publicUrl;
  const signIn = running.banner.lines().find((line) => line.label === 'Sign in');
  process.stdout.write(
    [
      '',
      ...(signIn ? [`Sign in (once, 15 min):       ${signIn.text}`] : []),
      `Overlay (OBS browser source): ${config.publicUrl}/overlay/${CHANNEL}?key=${channel.overlayKey}`,
      `API:                          ${api}/api/v1/channels/${CHANNEL}   (docs: ${api}/docs)`,
      `Dashboard:                    ${config.publicUrl}/c/${CHANNEL}   (sign in with the link above first; its chat panel talks here too)`,
      '',
      `You are typing into #${CHANNEL}. ${CHANNEL} is the broadcaster; try:`,
      '  alice: !mission Beat the boss without dying 100 30m',
      '  /mod bob',
      '  bob: !mission approve 1',
      '  carol: !pledge 1 250',
      '  bob: !mission success 1',
      CONSOLE_HELP,
      '',
    ].join('\n'),
  );

  const chat = attachConsole(sim, { channel: CHANNEL, input: process.stdin, output: process.stdout });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    chat.close();
    await running.stop().catch((err: unknown) => logger.error({ err }, 'demo shutdown failed'));
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await chat.done;
  await stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
