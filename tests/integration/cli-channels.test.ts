/** `npm run channels` (server/cli/channels.ts) run as a child process against a real Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelService } from '../../server/services/channels.js';
import { createTokenService } from '../../server/services/tokens.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/cli.js';


const PUBLIC_URL = 'https://missions.example.com';

describe('channels CLI', () => {
  let database: TestDatabase;
  const channelsCli = (...args: string[]) =>
    runCli('server/cli/channels.ts', args, { DATABASE_URL: database.url, PUBLIC_URL });

  beforeAll(async () => {
    database = await createTestDatabase('cli_channels');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('create makes the channel, prints its overlay URL and a working owner token', async () => {
    const result = await channelsCli('create', 'StreamerOne', '--broadcaster-id', '4242');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const channel = await createChannelService(database.db).get('streamerone');
    expect(channel.broadcasterId).toBe('4242');
    const overlayUrl = `${PUBLIC_URL}/overlay/streamerone?key=${encodeURIComponent(channel.overlayKey)}`;
    expect(result.stdout).toContain(overlayUrl);

    const token = /(ml_[A-Za-z0-9_-]{43})/.exec(result.stdout)?.[1];
    expect(token).toBeDefined();
    const record = await createTokenService(database.db).findByToken(token!);
    expect(record).toMatchObject({ role: 'owner', channelId: channel.id });
  });

  it('create refuses an existing channel and an invalid login without side effects', async () => {
    const [duplicate, invalid] = await Promise.all([channelsCli('create', 'streamerone'), channelsCli('create', 'no spaces!')]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('not a valid Twitch login');
    expect((await createChannelService(database.db).list()).map((c) => c.login)).toEqual(['streamerone']);
  });

  it('list and show describe existing channels; show of an unknown channel fails', async () => {
    const [list, show, json, missing] = await Promise.all([
      channelsCli('list'),
      channelsCli('show', 'streamerone'),
      channelsCli('show', 'streamerone', '--json'),
      channelsCli('show', 'nobody_here'),
    ]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/streamerone\s+4242\s+accepted/);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`${PUBLIC_URL}/overlay/streamerone?key=`);
    const parsed = JSON.parse(json.stdout) as { login: string; totals: Record<string, number>; settings: Record<string, unknown> };
    expect(parsed.login).toBe('streamerone');
    expect(parsed.totals).toEqual({ circulating: 0, escrow: 0, treasury: 0, minted: 0 });
    expect(parsed.settings).toHaveProperty('minStake');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nobody_here/);
  });
});
