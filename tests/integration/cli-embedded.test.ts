/**
 * The command-line tools without DATABASE_URL find the embedded database of `npm start` by
 * themselves: they connect to the server running on the data directory, or start one for the
 * duration of the command and stop it afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded.js';
import { readPostmaster } from '../../db/embedded/postmaster.js';
import { runCli } from '../support/cli.js';

describe('CLIs on the embedded database', () => {
  let dataDir: string;
  let server: EmbeddedDatabase | undefined;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-cli-embedded-'));
    // As root the server runs as user postgres, which must be able to enter the directory.
    fs.chmodSync(dataDir, 0o755);
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({ MISSION_LINK_DATA_DIR: dataDir, PUBLIC_URL: 'http://localhost:3000' });

  it('starts the embedded database for a command when no server runs, and stops it afterwards', async () => {
    const created = await runCli('server/cli/channels.ts', ['create', 'alice'], env());
    expect(created.stderr).not.toContain('DATABASE_URL is not set');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created channel alice');
    expect(created.stdout).toMatch(/Overlay URL .*http:\/\/localhost:3000\/overlay\/alice\?key=/);
    expect(readPostmaster(path.join(dataDir, 'postgres'))).toBeUndefined();
  });

  it('uses the server already running on the data directory, and leaves it running', async () => {
    server = await openEmbeddedPostgres(dataDir, { log: () => undefined, adopt: true });
    expect(server.started).toBe(true);
    const listed = await runCli('server/cli/channels.ts', ['list'], env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^alice\s/m);
    expect(listed.stderr).toContain(`already running on 127.0.0.1:${server.port}`);

    const verified = await runCli('server/cli/ledger-verify.ts', [], env());
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('alice: ok');
    expect(readPostmaster(path.join(dataDir, 'postgres'))?.port).toBe(server.port);
  });

  it('lists every token when `tokens list` is given no channel', async () => {
    const issued = await runCli('server/cli/tokens.ts', ['issue', '--role', 'bot', '--label', 'global bot'], env());
    expect(issued.code).toBe(0);
    const listed = await runCli('server/cli/tokens.ts', ['list'], env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^\s+1\s+alice\s+owner\s+active\s.*created with the channels CLI$/m);
    expect(listed.stdout).toMatch(/^\s+2\s+\(every channel\)\s+bot\s+active\s.*global bot$/m);
  });
});
