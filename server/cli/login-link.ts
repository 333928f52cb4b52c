/**
 * `npm run login-link`: prints a fresh single-use sign-in link (15 minutes) to the dashboard as
 * the instance admin, for a running or a stopped instance. The database is found as every tool
 * finds it (DATABASE_URL, else the embedded database of `npm start`, running or not).
 * `--end-sessions` first signs every browser out.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { COMMAND_LINE_ORIGIN } from '../domain/activity-origin.js';
import { createSessionService } from '../services/sessions.js';
import { printSignInLink } from '../sign-in-link.js';
import { failWith, openDatabase } from './cli-support.js';

const USAGE = `Usage: npm run login-link [-- --end-sessions]
  --end-sessions   first sign every browser out (every dashboard session is revoked)`;

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { 'end-sessions': { type: 'boolean' } } });
  const config = loadConfig();
  const handle = await openDatabase('mission-link-login-link');
  try {
    const sessions = createSessionService(handle.db);
    if (values['end-sessions']) process.stderr.write(`Signed out ${await sessions.revokeAll(COMMAND_LINE_ORIGIN)} session(s).\n`);
    await printSignInLink(sessions, config.publicUrl);
    process.stderr.write('It works once, within 15 minutes, and signs the browser in as the instance admin.\n');
  } finally {
    await handle.close();
  }
}

main().catch(failWith('login-link', USAGE));
