/**
 * Issue, revoke and list API tokens.
 *
 *   tsx server/cli/tokens.ts issue --channel <login> --role owner|moderator|bot [--label <text>]
 *   tsx server/cli/tokens.ts issue --role bot [--label <text>]        (a bot token for every channel)
 *   tsx server/cli/tokens.ts revoke <id>
 *   tsx server/cli/tokens.ts list [--channel <login>]                 (no channel: every token)
 *
 * Works on DATABASE_URL, or else on the embedded database of `npm start`. The token is printed once, on stdout, and is not stored anywhere.
 */
import { parseArgs } from 'node:util';
import type { DbHandle } from '../../db/client.js';
import { failWith, openDatabase, UsageError } from './cli-support.js';
import { createChannelService, findChannelRow } from '../services/channels.js';
import { createTokenService, type TokenRole, type TokenRow } from '../services/tokens.js';
import { COMMAND_LINE_ORIGIN } from '../domain/activity-origin.js';

const USAGE = `Usage:
  tokens issue --channel <login> --role owner|moderator|bot [--label <text>]
  tokens issue --role bot [--label <text>]
  tokens revoke <id>
  tokens list [--channel <login>]     (without --channel: every token, with its channel)`;


const ROLES: readonly TokenRole[] = ['owner', 'moderator', 'bot'];

async function channelId(handle: DbHandle, login: string | undefined): Promise<number | null> {
  if (login === undefined) return null;
  const channel = await findChannelRow(handle.db, login.toLowerCase().replace(/^#/, ''));
  if (!channel) throw new UsageError(`Channel "${login}" does not exist (create it first: npm run channels)`);
  return channel.id;
}

function formatRow(row: TokenRow, channel: string): string {
  const state = row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : 'active';
  return `${String(row.id).padStart(5)}  ${channel.padEnd(26)}  ${row.role.padEnd(9)}  ${state.padEnd(33)}  ${row.createdAt.toISOString()}  ${row.label ?? ''}`;
}

async function run(argv: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { channel: { type: 'string' }, role: { type: 'string' }, label: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  if (command === undefined || !['issue', 'revoke', 'list'].includes(command)) throw new UsageError(USAGE);

  const handle = await openDatabase('mission-link-tokens-cli');
  try {
    const tokens = createTokenService(handle.db);
    if (command === 'issue') {
      const role = values.role as TokenRole | undefined;
      if (role === undefined || !ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const issued = await tokens.issueToken(
        { channelId: await channelId(handle, values.channel), role, label: values.label ?? null },
        COMMAND_LINE_ORIGIN,
      );
      process.stderr.write(`Issued ${role} token #${issued.id}. It is shown once; store it now.\n`);
      if (role === 'bot' && values.channel === undefined) {
        process.stderr.write(
          'Warning: this bot token is bound to no channel. Whoever holds it can act as any chat user, moderators included, in every channel; ' +
            'prefer one bot token per channel (--channel <login>).\n',
        );
      }
      out(issued.token);
    } else if (command === 'revoke') {
      const id = Number(rest[0]);
      if (!Number.isSafeInteger(id) || id < 1) throw new UsageError('revoke needs a token id (see `list`)');
      if (!(await tokens.revokeToken(id, COMMAND_LINE_ORIGIN))) throw new UsageError(`Token #${id} does not exist or is already revoked`);
      out(`Revoked token #${id}`);
    } else {
      const rows = values.channel === undefined ? await tokens.listAllTokens() : await tokens.listTokens(await channelId(handle, values.channel));
      const logins = new Map((await createChannelService(handle.db).list()).map((c) => [c.id, c.login]));
      out(`   id  ${'channel'.padEnd(26)}  role       state                              created                   label`);
      for (const row of rows) out(formatRow(row, row.channelId === null ? '(every channel)' : (logins.get(row.channelId) ?? String(row.channelId))));
      if (rows.length === 0) out('No tokens yet. `npm run channels -- create <login>` issues an owner token; `tokens issue` makes more.');
    }
  } finally {
    await handle.close();
  }
}

run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).catch(failWith('tokens', USAGE));
