/**
 * `npm run build`, after `tsc`: puts the SQL migrations, the overlay's static files and the dashboard bundle next to the
 * compiled code in `dist/`. A Node script rather than `rm -rf` / `cp -r`, so the build runs the
 * same in PowerShell, cmd.exe and POSIX shells.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = process.cwd();
const COPIES: Array<[from: string, to: string]> = [
  [path.join('db', 'migrations'), path.join('dist', 'db', 'migrations')],
  ['overlay', path.join('dist', 'overlay')],
  // Built just before by `npm run build:dashboard`; the compiled server serves it from here.
  [path.join('dashboard', 'dist'), path.join('dist', 'dashboard', 'dist')],
];

for (const [from, to] of COPIES) {
  const target = path.join(ROOT, to);
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, from), target, { recursive: true });
}
process.stdout.write(`copied ${COPIES.map(([from]) => from).join(', ')} into dist/\n`);
