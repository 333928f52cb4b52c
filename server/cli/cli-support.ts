/** What every command-line tool shares: the database from DATABASE_URL and readable failures. */
import { createDb, type DbHandle } from '../../db/client.js';
import { ConfigError, loadConfig } from '../config.js';
import { isDomainError } from '../domain/errors.js';

/** A mistake of the operator's (bad arguments, missing setting): printed as is, without a stack. */
export class UsageError extends Error {}

/** The message worth showing for any failure. Drizzle wraps driver errors; their cause says what went wrong. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError || err instanceof ConfigError || isDomainError(err)) return err.message;
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) return err.cause instanceof Error ? err.cause.message : err.message || err.name;
  return String(err);
}

/** True for errors the tool itself raised about its input, as opposed to failures of the database. */
export const isUsageProblem = (err: unknown): boolean =>
  err instanceof UsageError || err instanceof ConfigError || isDomainError(err);

/** Opens the database named by DATABASE_URL, or explains how to name one (`example`: the command to show). */
export function openDatabase(applicationName: string, example: string, max = 1): DbHandle {
  const config = loadConfig();
  if (!config.databaseUrl) {
    throw new UsageError(
      'DATABASE_URL is not set. Set it to your Postgres URL (the embedded database of `npm start` is ' +
        'postgres://postgres:postgres@127.0.0.1:<port>/mission_link, with the port the server logs at start-up), ' +
        `e.g. DATABASE_URL=postgres://user@host:5432/mission_link ${example}`,
    );
  }
  return createDb(config.databaseUrl, { max, applicationName });
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
