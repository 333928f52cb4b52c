/**
 * Process entry point: `tsx server/main.ts [all|server|worker|bot]` (default all).
 * Owns only process concerns: config errors, logger, roles, signals and graceful shutdown.
 */
import { SchemaTooNewError } from '../db/schema-version.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './http/logger.js';
import { startRoles, type Role } from './processes.js';

const ROLES: Role[] = ['server', 'worker', 'bot'];

async function main(): Promise<void> {
  const arg = process.argv[2] ?? 'all';
  const roles = arg === 'all' ? ROLES : ROLES.filter((r) => r === arg);
  if (roles.length === 0) {
    process.stderr.write(`Unknown role "${arg}". Use one of: all, ${ROLES.join(', ')}\n`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const running = await startRoles(config, logger, roles);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    running
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  // Nothing was written; the operator needs the one line that says which build to run.
  if (err instanceof SchemaTooNewError) {
    process.stderr.write(`Mission Link did not start: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Mission Link failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
