/** What every command-line tool shares: its database (see `locateDatabase`) and readable failures. */
import { EmbeddedSetupError } from '../../db/embedded.js';
import { locateDatabase, type LocatedDatabase } from '../../db/locate.js';
import { ConfigError, loadConfig } from '../config.js';
import { isDomainError } from '../domain/errors.js';
import { UsageError } from '../domain/usage-error.js';

export { UsageError };

/** The message worth showing for any failure. Drizzle wraps driver errors; their cause says what went wrong. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof EmbeddedSetupError || isDomainError(err)) return err.message;
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) return err.cause instanceof Error ? err.cause.message : err.message || err.name;
  return String(err);
}

/** True for errors the tool itself raised about its input, as opposed to failures of the database. */
export const isUsageProblem = (err: unknown): boolean =>
  err instanceof UsageError || err instanceof ConfigError || err instanceof EmbeddedSetupError || isDomainError(err);

/**
 * Opens the tool's database: DATABASE_URL, or else the embedded database of `npm start` (the running
 * server's, or one started for this command and stopped by `close`). Progress goes to stderr.
 */
export function openDatabase(applicationName: string, max = 1): Promise<LocatedDatabase> {
  return locateDatabase(loadConfig(), {
    applicationName,
    max,
    log: (line) => process.stderr.write(`${line}\n`),
  });
}

/** The catch-all of a subcommand tool: the message, with the usage text after argument errors. */
export function failWith(tool: string, usage: string) {
  return (err: unknown): void => {
    if (isUsageProblem(err)) {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    } else if (err instanceof Error && err.name === 'TypeError' && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${err.message}\n${usage}\n`);
    } else {
      process.stderr.write(`${tool}: ${describeError(err)}\n`);
    }
    process.exitCode = 1;
  };
}
