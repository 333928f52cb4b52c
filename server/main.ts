/**
 * Process entry point: `tsx server/main.ts [all|server|worker|bot]` (default all).
 * Owns only process concerns: the Node version, `./.env`, config errors, logger, the banner,
 * roles, signals and graceful shutdown.
 *
 * Only dependency-free modules are imported statically, so an unsupported Node is refused with one
 * line before anything else loads; the rest is imported once the checks have passed.
 */
import { loadEnvFile } from './startup/env-file.js';
import { nodeVersionProblem } from './startup/node-version.js';
import type { RunningRoles } from './processes.js';

type Role = 'server' | 'worker' | 'bot';
const ROLES: Role[] = ['server', 'worker', 'bot'];

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

/** A start-up failure the operator can fix, as one or two lines; undefined for a bug (printed with its stack). */
async function explain(err: unknown, host: string | undefined, port: number | undefined): Promise<string | undefined> {
  const { ConfigError } = await import('./config.js');
  const { EmbeddedSetupError } = await import('../db/embedded.js');
  const { SchemaTooNewError } = await import('../db/schema-version.js');
  if (err instanceof ConfigError) return err.message;
  // Nothing was written; the operator needs the one line that says which build to run.
  if (err instanceof SchemaTooNewError) return `Mission Link did not start: ${err.message}`;
  if (err instanceof EmbeddedSetupError) return `Mission Link could not start its embedded database: ${err.message}`;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return (
      `Port ${port} on ${host} is already in use (is Mission Link already running in another terminal?). ` +
      `Stop the other process, or pick another port: set PORT=${(port ?? 3000) + 1}.`
    );
  }
  if (code === 'EADDRNOTAVAIL') return `HOST=${host} is not an address of this machine. Use 127.0.0.1, or 0.0.0.0 for every interface.`;
  return undefined;
}

async function main(): Promise<void> {
  const tooOld = nodeVersionProblem();
  if (tooOld) fail(tooOld);
  const arg = process.argv[2] ?? 'all';
  const roles = arg === 'all' ? ROLES : ROLES.filter((r) => r === arg);
  if (roles.length === 0) {
    process.stderr.write(`Unknown role "${arg}". Use one of: all, ${ROLES.join(', ')}\n`);
    process.exit(2);
  }
  let envFile: string | undefined;
  try {
    envFile = loadEnvFile();
  } catch (err) {
    fail(`Could not read .env: ${err instanceof Error ? err.message : String(err)}`);
  }

  const { loadConfig } = await import('./config.js');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    fail((await explain(err, undefined, undefined)) ?? String(err));
  }
  const { createProcessLogger, logFormatFor } = await import('./http/logger.js');
  const { startRoles } = await import('./processes.js');
  const { renderBanner } = await import('./startup/banner.js');
  const { SIGN_IN_LABEL } = await import('./sign-in-link.js');
  const logger = await createProcessLogger(config!);
  const pretty = logFormatFor(config!, process.stdout.isTTY === true) === 'pretty';

  // Listening from the start: a Ctrl+C while the database starts still shuts down in order
  // (the embedded Postgres runs in its own process group and would be left behind otherwise).
  let stopping = false;
  let started: Promise<RunningRoles | undefined> = Promise.resolve(undefined);
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    started
      .then((running) => running?.stop())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  started = startRoles(config!, logger, roles, { envFile });
  let running: RunningRoles;
  try {
    running = (await started)!;
  } catch (err) {
    const message = await explain(err, config!.host, config!.port);
    if (message) fail(message);
    throw err;
  }
  if (stopping) return;
  const lines = running.banner.lines();
  if (pretty) {
    process.stdout.write(renderBanner('Mission Link is running', lines));
  } else {
    // Machines read JSON; links that carry an overlay key or sign in stay out of the log. The
    // sign-in link goes to stdout as its own plain line, for the person who started the server.
    const signIn = lines.find((l) => l.label === SIGN_IN_LABEL);
    if (signIn) process.stdout.write(`${SIGN_IN_LABEL}: ${signIn.text}\n`);
    logger.info(
      {
        ready: lines.filter((l) => l !== signIn && !l.text.includes('?key=')).map((l) => `${l.label}: ${l.text}`),
        missing: lines.filter((l) => l.missing).map((l) => l.label),
      },
      'Mission Link is running',
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Mission Link failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
