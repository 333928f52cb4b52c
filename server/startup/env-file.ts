/**
 * `./.env`, loaded by `npm start` when present, with Node's own parser. Variables already set in
 * the process environment win over the file, so a one-off `PORT=3001 npm start` still works.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Loads `file` into `process.env` when it exists; returns its absolute path, or undefined when there is none. */
export function loadEnvFile(file = '.env'): string | undefined {
  const absolute = path.resolve(file);
  if (!fs.existsSync(absolute)) return undefined;
  process.loadEnvFile(absolute);
  return absolute;
}
