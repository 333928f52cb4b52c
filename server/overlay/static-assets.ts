import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

export interface StaticAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 3;

/**
 * Reads the overlay's files once, at start-up, into an allowlist keyed by relative path.
 * Requests are answered from that map only, so no request path ever reaches the filesystem:
 * `..`, encoded slashes, absolute paths and symlinks out of the folder cannot be served.
 * The overlay is a handful of small files; keeping them in memory also makes serving them free.
 */
export function loadStaticAssets(dir: string): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  const walk = (folder: string, prefix: string, depth: number): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (!SEGMENT.test(entry.name)) continue; // dotfiles and odd names stay private
      const full = join(folder, entry.name);
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) walk(full, rel, depth + 1);
        continue;
      }
      if (!entry.isFile()) continue; // symlinks are not followed
      const contentType = CONTENT_TYPES[extname(entry.name).toLowerCase()];
      if (contentType === undefined || statSync(full).size > MAX_FILE_BYTES) continue;
      const body = readFileSync(full);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      assets.set(rel, { body, contentType, etag });
    }
  };
  walk(dir, '', 0);
  return assets;
}

/** Maps a request's wildcard to an allowlisted asset, or null. Never touches the filesystem. */
export function resolveAsset(assets: ReadonlyMap<string, StaticAsset>, requested: string): StaticAsset | null {
  if (requested.length === 0 || requested.length > 200) return null;
  const segments = requested.split('/');
  if (!segments.every((segment) => SEGMENT.test(segment))) return null;
  return assets.get(segments.join('/')) ?? null;
}
