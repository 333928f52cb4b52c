/**
 * Create, list and inspect channels.
 *
 *   tsx server/cli/channels.ts create <login> [--broadcaster-id <id>] [--display-name <name>] [--json]
 *   tsx server/cli/channels.ts list [--json]
 *   tsx server/cli/channels.ts show <login> [--json]
 *
 * `create` makes the channel with default settings, prints its overlay URL (built from
 * PUBLIC_URL) and issues an owner token for the dashboard API, printed once and stored only as
 * a hash. `show` prints the overlay URL too: this CLI has database access, so it is as
 * privileged as the admin token. Works on DATABASE_URL, or else on the embedded database of `npm start`.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { failWith, openDatabase, UsageError } from './cli-support.js';
import { createChannelService, type Channel } from '../services/channels.js';
import { createTokenService } from '../services/tokens.js';
import { COMMAND_LINE_ORIGIN } from '../domain/activity-origin.js';

const USAGE = `Usage:
  channels create <login> [--broadcaster-id <id>] [--display-name <name>] [--json]
  channels list [--json]
  channels show <login> [--json]`;


/** The OBS browser-source link for a channel, the same URL the API shows its owner. */
function overlayUrlOf(publicUrl: string, channel: Pick<Channel, 'login' | 'overlayKey'>): string {
  return `${publicUrl}/overlay/${channel.login}?key=${encodeURIComponent(channel.overlayKey)}`;
}

const normaliseLogin = (login: string) => login.trim().toLowerCase().replace(/^#/, '');

async function run(argv: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'broadcaster-id': { type: 'string' },
      'display-name': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [command, login] = positionals;
  if (command === undefined || !['create', 'list', 'show'].includes(command)) throw new UsageError(USAGE);
  if (command !== 'list' && login === undefined) throw new UsageError(`${command} needs a channel login\n${USAGE}`);
  const broadcasterId = values['broadcaster-id'];
  if (broadcasterId !== undefined && !/^[0-9]{1,20}$/.test(broadcasterId)) {
    throw new UsageError('--broadcaster-id must be the numeric Twitch user id');
  }

  const config = loadConfig();
  const handle = await openDatabase('mission-link-channels-cli');
  try {
    const channels = createChannelService(handle.db);
    const describe = async (channel: Channel) => ({
      login: channel.login,
      broadcasterId: channel.broadcasterId,
      displayName: channel.displayName,
      missionsPaused: channel.missionsPaused,
      overlayUrl: overlayUrlOf(config.publicUrl, channel),
      totals: await channels.totals(channel.id),
      settings: channel.settings,
    });

    if (command === 'create') {
      const channel = await channels.create(
        { login: normaliseLogin(login!), broadcasterId: broadcasterId ?? null, displayName: values['display-name'] ?? null },
        COMMAND_LINE_ORIGIN,
      );
      const issued = await createTokenService(handle.db).issueToken(
        { channelId: channel.id, role: 'owner', label: 'created with the channels CLI' },
        COMMAND_LINE_ORIGIN,
      );
      const overlayUrl = overlayUrlOf(config.publicUrl, channel);
      if (values.json) {
        out(JSON.stringify({ login: channel.login, overlayUrl, ownerToken: { id: issued.id, token: issued.token } }, null, 2));
      } else {
        out(`Created channel ${channel.login}${channel.broadcasterId ? ` (broadcaster id ${channel.broadcasterId})` : ''}`);
        out(`Overlay URL (OBS browser source, 1920x1080): ${overlayUrl}`);
        out(`Owner token #${issued.id} (shown once; store it now): ${issued.token}`);
      }
    } else if (command === 'show') {
      const channel = await describe(await channels.get(normaliseLogin(login!)));
      if (values.json) {
        out(JSON.stringify(channel, null, 2));
      } else {
        out(`Channel        ${channel.login}${channel.displayName ? ` (${channel.displayName})` : ''}`);
        out(`Broadcaster id ${channel.broadcasterId ?? '-'}`);
        out(`Missions       ${channel.missionsPaused ? 'paused' : 'accepted'}`);
        out(`Overlay URL    ${channel.overlayUrl}`);
        const t = channel.totals;
        out(`Totals         circulating ${t.circulating}, escrow ${t.escrow}, treasury ${t.treasury}, minted ${t.minted}`);
        out(`Settings       ${JSON.stringify(channel.settings)}`);
      }
    } else {
      const all = await channels.list();
      if (values.json) {
        out(JSON.stringify(all.map((c) => ({ login: c.login, broadcasterId: c.broadcasterId, missionsPaused: c.missionsPaused }))));
      } else if (all.length === 0) {
        out('No channels yet. Create one: npm run channels -- create <login>');
      } else {
        out(`${'login'.padEnd(26)}${'broadcaster id'.padEnd(22)}missions`);
        for (const c of all) {
          out(`${c.login.padEnd(26)}${(c.broadcasterId ?? '-').padEnd(22)}${c.missionsPaused ? 'paused' : 'accepted'}`);
        }
      }
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).catch(failWith('channels', USAGE));
