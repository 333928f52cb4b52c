/**
 * Resolves the request's bearer token into `request.principal` before validation, so route
 * handlers can authorise synchronously with the guards. Reads stay public: an absent or bad
 * token only matters when a guard asks for a credential. Tokens are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { TokenRow } from '../../repositories/tokens-repository.js';
import { parseBearer, type Principal } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; set before validation by the auth plugin. */
    principal: Principal;
  }
  interface FastifyInstance {
    /**
     * Drops a token from this process's lookup cache, so a token revoked here is refused on the
     * very next request instead of up to `cacheMs` later. Other processes still honour the window.
     */
    forgetApiToken(tokenId: number): void;
  }
}

export interface AuthOptions {
  /** ADMIN_TOKEN; admin access is disabled when unset. */
  adminToken: string | undefined;
  /** Looks up an active API token (see `TokenService.findByToken`). */
  findToken(token: string): Promise<TokenRow | null>;
  /**
   * How long a found token is remembered, to spare a query per pledge during storms.
   * A revocation takes effect within this window. 0 disables the cache.
   */
  cacheMs?: number;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
const CACHE_LIMIT = 1_000;

export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, options) => {
    // Hashing both sides gives equal-length buffers, so the comparison time reveals nothing.
    const adminHash = options.adminToken === undefined ? undefined : sha256(options.adminToken);
    const cacheMs = options.cacheMs ?? 5_000;
    const cache = new Map<string, { row: TokenRow; expires: number }>();
    // Tokens revoked through this process: a lookup that started before the revocation must not
    // put the token back into the cache when it finishes.
    const revoked = new Set<number>();

    async function resolve(token: string): Promise<Principal> {
      const hash = sha256(token);
      if (adminHash && timingSafeEqual(hash, adminHash)) return { kind: 'admin' };
      const key = hash.toString('hex');
      const cached = cache.get(key);
      let row: TokenRow | null;
      if (cached && cached.expires > Date.now() && !revoked.has(cached.row.id)) {
        row = cached.row;
      } else {
        row = await options.findToken(token);
        if (row && cacheMs > 0 && !revoked.has(row.id)) {
          if (cache.size >= CACHE_LIMIT) cache.clear();
          cache.set(key, { row, expires: Date.now() + cacheMs });
        }
      }
      if (!row) return { kind: 'invalid' };
      return { kind: 'token', tokenId: row.id, role: row.role, channelId: row.channelId };
    }

    app.decorate('forgetApiToken', (tokenId: number) => {
      if (revoked.size >= CACHE_LIMIT) revoked.clear();
      revoked.add(tokenId);
      for (const [key, entry] of cache) if (entry.row.id === tokenId) cache.delete(key);
    });

    // null until the hook runs: Fastify forbids object defaults shared across requests.
    app.decorateRequest('principal', null as unknown as { kind: 'anonymous' });
    // onRequest, before the body is read, so the rate limit can count a request whose body never comes.
    app.addHook('onRequest', async (request) => {
      const token = parseBearer(request.headers.authorization);
      request.principal =
        token === undefined ? { kind: 'anonymous' } : token === null ? { kind: 'invalid' } : await resolve(token);
    });
  },
  { name: 'mission-link-auth', fastify: '5.x' },
);
