/**
 * The backup file: gzip-compressed lines of JSON. The first line is the header (format version,
 * the schema's migrations, what was saved), then for each table a `{"@table": name}` line and one
 * line per row (Postgres's own `row_to_json`, passed through untouched so no number loses
 * precision), and last a trailer with the row counts and the SHA-256 of every line before it.
 * A file without its trailer is truncated; a file whose lines do not hash to it was altered.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { once } from 'node:events';
import zlib from 'node:zlib';
import { UsageError } from '../domain/usage-error.js';

export const BACKUP_FORMAT = 'mission-link-backup';
/** Raise when a reader of the previous version could not load the file correctly. */
export const BACKUP_VERSION = 1;

export interface BackupHeader {
  '@backup': typeof BACKUP_FORMAT;
  version: number;
  /** The app version that wrote it (package.json), for the operator's information. */
  app: string;
  createdAt: string;
  /** Set for a one-channel backup. */
  channel: string | null;
  /** The migrations the source had applied (drizzle's `when` of each), oldest first. */
  migrations: number[];
  /** Tables saved, in load order. */
  tables: string[];
}

export interface BackupTrailer {
  '@end': { rows: Record<string, number> };
  sha256: string;
}

/** A backup file refused before anything was written: one line for the operator. */
export class BackupRefused extends UsageError {}

export interface BackupWriter {
  header(header: BackupHeader): Promise<void>;
  table(name: string): Promise<void>;
  /** Rows as JSON text, one per element. */
  rows(lines: readonly string[]): Promise<void>;
  /** Writes the trailer and moves the file into place; returns its size in bytes. */
  finish(): Promise<number>;
  /** Removes the partial file. */
  abort(): Promise<void>;
}

/** Writes to `<file>.partial` and renames on finish, so a crash never leaves a file that looks whole. */
export function createBackupWriter(file: string): BackupWriter {
  const partial = `${file}.partial`;
  const out = fs.createWriteStream(partial, { mode: 0o600 });
  const gzip = zlib.createGzip({ level: 6 });
  gzip.pipe(out);
  const hash = createHash('sha256');
  const counts: Record<string, number> = {};
  let current: string | undefined;
  let failed: Error | undefined;
  const onError = (err: Error) => (failed ??= err);
  out.on('error', onError);
  gzip.on('error', onError);

  async function write(text: string): Promise<void> {
    if (failed) throw failed;
    hash.update(text);
    if (!gzip.write(text)) await once(gzip, 'drain');
  }
  return {
    header: (header) => write(`${JSON.stringify(header)}\n`),
    async table(name) {
      current = name;
      counts[name] = 0;
      await write(`${JSON.stringify({ '@table': name })}\n`);
    },
    async rows(lines) {
      if (current === undefined || lines.length === 0) return;
      counts[current]! += lines.length;
      await write(`${lines.join('\n')}\n`);
    },
    async finish() {
      const trailer: BackupTrailer = { '@end': { rows: counts }, sha256: hash.digest('hex') };
      gzip.end(`${JSON.stringify(trailer)}\n`);
      await once(out, 'close');
      if (failed) throw failed;
      fs.renameSync(partial, file);
      return fs.statSync(file).size;
    },
    async abort() {
      gzip.destroy();
      out.destroy();
      fs.rmSync(partial, { force: true });
    },
  };
}

/** Every line of the file, decompressed; a damaged gzip stream is reported as a refused file. */
async function* linesOf(file: string): AsyncGenerator<string> {
  if (!fs.existsSync(file)) throw new BackupRefused(`${file}: no such file`);
  const gunzip = zlib.createGunzip();
  const input = fs.createReadStream(file).pipe(gunzip);
  const reader = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of reader) yield line;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(String(err))) throw new BackupRefused(`${file} is truncated (the file ends early); nothing was restored.`);
    throw new BackupRefused(`${file} is not a Mission Link backup or is damaged (${code ?? String(err)}); nothing was restored.`);
  }
}

function parseHeader(file: string, line: string | undefined): BackupHeader {
  let header: Partial<BackupHeader> | undefined;
  try {
    header = line === undefined ? undefined : (JSON.parse(line) as Partial<BackupHeader>);
  } catch {
    header = undefined;
  }
  if (!header || header['@backup'] !== BACKUP_FORMAT || typeof header.version !== 'number') {
    throw new BackupRefused(`${file} is not a Mission Link backup; nothing was restored.`);
  }
  if (header.version > BACKUP_VERSION) {
    throw new BackupRefused(
      `${file} was written by a newer Mission Link (backup format ${header.version}, this version reads ${BACKUP_VERSION}): upgrade first; nothing was restored.`,
    );
  }
  return header as BackupHeader;
}

/**
 * Reads the whole file once and checks it: our format, a version this build reads, the trailer
 * present and the checksum right. Returns the header and the trailer; throws BackupRefused.
 */
export async function verifyBackup(file: string): Promise<{ header: BackupHeader; trailer: BackupTrailer }> {
  const hash = createHash('sha256');
  let header: BackupHeader | undefined;
  let last: string | undefined;
  for await (const line of linesOf(file)) {
    if (last !== undefined) hash.update(`${last}\n`);
    if (header === undefined) header = parseHeader(file, line);
    last = line;
  }
  if (header === undefined) throw new BackupRefused(`${file} is empty or not a Mission Link backup; nothing was restored.`);
  let trailer: BackupTrailer | undefined;
  try {
    trailer = JSON.parse(last ?? '') as BackupTrailer;
  } catch {
    trailer = undefined;
  }
  if (!trailer || typeof trailer.sha256 !== 'string' || !trailer['@end']) {
    throw new BackupRefused(`${file} is truncated (its end marker is missing); nothing was restored.`);
  }
  if (hash.digest('hex') !== trailer.sha256) {
    throw new BackupRefused(`${file} was altered or damaged (checksum mismatch); nothing was restored.`);
  }
  return { header, trailer };
}

/** Streams a verified file's rows, grouped per table in chunks of at most `chunk` rows. */
export async function readBackupRows(
  file: string,
  onRows: (table: string, rows: string[]) => Promise<void>,
  chunk = 2_000,
): Promise<void> {
  let table: string | undefined;
  let pending: string[] = [];
  const flush = async () => {
    if (table !== undefined && pending.length > 0) await onRows(table, pending);
    pending = [];
  };
  let index = 0;
  for await (const line of linesOf(file)) {
    index += 1;
    if (index === 1) continue;
    if (line.startsWith('{"@table":')) {
      await flush();
      table = (JSON.parse(line) as { '@table': string })['@table'];
    } else if (line.startsWith('{"@end":')) {
      await flush();
    } else {
      pending.push(line);
      if (pending.length >= chunk) await flush();
    }
  }
}
