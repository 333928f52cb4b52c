import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { loadConfig } from '../../server/config.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { runMigrations } from '../../db/migrate.js';
import { channels } from '../../db/schema.js';
import { buildApp } from '../../server/http/app.js';
import { createLogger } from '../../server/http/logger.js';
import { canSeeSecrets, requireActor, requireAdmin, requireOwnerOrAdmin } from '../../server/http/auth/guards.js';
import { createTokenService, hashToken, type TokenService } from '../../server/services/tokens.js';
import { errors } from '../../server/domain/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

const ADMIN = 'admin-secret-token-0123456789';

let database: TestDatabase;
let db: DbHandle;
let app: FastifyInstance;
let tokens: TokenService;
const ids = { alice: 0, bob: 0 };
const t = { owner: '', aliceMod: '', bobMod: '', bot: '', bobBot: '', revoked: '' };

function routes(): FastifyPluginAsync {
  return async (api) => {
    const channelOf = (request: FastifyRequest) => {
      const login = (request.params as { channel: string }).channel;
      const id = ids[login as keyof typeof ids];
      if (!id) throw errors.channelNotFound(login);
      return { id, login };
    };
    api.post('/channels/:channel/write', async (request) => ({ actor: requireActor(request, channelOf(request)) }));
    api.post('/channels/:channel/settings', async (request) => ({
      actor: requireOwnerOrAdmin(request, channelOf(request)),
    }));
    api.post('/admin', async (request) => ({ actor: requireAdmin(request) }));
    api.get('/channels/:channel', async (request) => ({ secrets: canSeeSecrets(request, channelOf(request)) }));
  };
}

beforeAll(async () => {
  database = await createTestDatabase('app_auth');
  db = createDb(database.connectionString, { max: 3 });
  await runMigrations(db);
  const rows = await db.db
    .insert(channels)
    .values([
      { login: 'alice', overlayKey: 'ok-alice' },
      { login: 'bob', overlayKey: 'ok-bob' },
    ])
    .returning({ id: channels.id, login: channels.login });
  for (const row of rows) ids[row.login as keyof typeof ids] = row.id;
  tokens = createTokenService(db.db);
  t.owner = (await tokens.issueToken({ channelId: ids.alice, role: 'owner', label: 'dash' })).token;
  t.aliceMod = (await tokens.issueToken({ channelId: ids.alice, role: 'moderator' })).token;
  t.bobMod = (await tokens.issueToken({ channelId: ids.bob, role: 'moderator' })).token;
  t.bot = (await tokens.issueToken({ role: 'bot', label: 'bot' })).token;
  t.bobBot = (await tokens.issueToken({ channelId: ids.bob, role: 'bot' })).token;
  const revoked = await tokens.issueToken({ channelId: ids.alice, role: 'owner' });
  expect(await tokens.revokeToken(revoked.id)).toBe(true);
  t.revoked = revoked.token;
  app = await buildApp({
    config: loadConfig({ ADMIN_TOKEN: ADMIN }),
    db,
    readiness: [],
    routes: [routes()],
    tokenCacheMs: 0,
  });
});

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

const acting = (channel: string, role = 'viewer') => ({
  'x-acting-user-id': '12345',
  'x-acting-user-login': 'carol',
  'x-acting-user-display-name': encodeURIComponent('캐롤'),
  'x-acting-user-role': role,
  'x-acting-channel': channel,
});

async function write(url: string, token?: string, headers: Record<string, string> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
  return { status: res.statusCode, body: res.json() };
}

describe('tokens', () => {
  it('issues ml_ tokens shown once, stores only the hash, and lists without secrets', async () => {
    expect(t.owner).toMatch(/^ml_[A-Za-z0-9_-]{43}$/);
    const found = await tokens.findByToken(t.owner);
    expect(found).toMatchObject({ channelId: ids.alice, role: 'owner', label: 'dash', revokedAt: null });
    const stored = await db.pool.query('SELECT token_hash FROM api_tokens WHERE id = $1', [found?.id]);
    expect(stored.rows[0].token_hash).toBe(hashToken(t.owner));
    const list = await tokens.listTokens(ids.alice);
    expect(list).toHaveLength(3);
    expect(JSON.stringify(list)).not.toContain(t.owner);
    expect(await tokens.findByToken(t.revoked)).toBeNull();
    await expect(tokens.issueToken({ role: 'owner' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('auth matrix', () => {
  it('no token is 401 for writes, reads stay public', async () => {
    expect((await write('/channels/alice/write')).status).toBe(401);
    const read = await app.inject({ method: 'GET', url: '/api/v1/channels/alice' });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ secrets: false });
  });

  it('a wrong, malformed or revoked token is 401', async () => {
    for (const token of ['ml_' + 'A'.repeat(43), 'nonsense', t.revoked, ADMIN + 'x']) {
      const res = await write('/channels/alice/write', token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
    const basic = await app.inject({ method: 'POST', url: '/api/v1/admin', headers: { authorization: 'Basic abc' } });
    expect(basic.statusCode).toBe(401);
  });

  it('the admin token may do anything', async () => {
    expect(await write('/channels/bob/write', ADMIN)).toEqual({ status: 200, body: { actor: { kind: 'admin' } } });
    expect((await write('/channels/bob/settings', ADMIN)).status).toBe(200);
    expect((await write('/admin', ADMIN)).status).toBe(200);
  });

  it('a dashboard token acts in its own channel only', async () => {
    const own = await write('/channels/alice/write', t.aliceMod);
    expect(own.status).toBe(200);
    expect(own.body.actor).toMatchObject({ kind: 'dashboard', channelId: ids.alice, role: 'moderator' });
    const other = await write('/channels/alice/write', t.bobMod);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN');
  });

  it('settings need the owner or the admin; admin routes need the admin', async () => {
    expect((await write('/channels/alice/settings', t.owner)).status).toBe(200);
    expect((await write('/channels/alice/settings', t.aliceMod)).status).toBe(403);
    expect((await write('/channels/bob/settings', t.owner)).status).toBe(403);
    expect((await write('/channels/alice/settings')).status).toBe(401);
    expect((await write('/admin', t.owner)).status).toBe(403);
    expect((await write('/admin')).status).toBe(401);
  });

  it('owners and the admin see secrets on reads; others do not', async () => {
    const read = (token: string) =>
      app.inject({ method: 'GET', url: '/api/v1/channels/alice', headers: { authorization: `Bearer ${token}` } });
    expect((await read(t.owner)).json()).toEqual({ secrets: true });
    expect((await read(ADMIN)).json()).toEqual({ secrets: true });
    expect((await read(t.aliceMod)).json()).toEqual({ secrets: false });
    expect((await read('garbage')).json()).toEqual({ secrets: false });
  });

  it('the bot token acts for the chat user named in the headers', async () => {
    const res = await write('/channels/alice/write', t.bot, acting('alice', 'moderator'));
    expect(res.status).toBe(200);
    expect(res.body.actor).toEqual({
      kind: 'chat',
      channel: 'alice',
      user: { userId: '12345', login: 'carol', displayName: '캐롤' },
      role: 'moderator',
      relayed: true,
      tokenId: expect.any(Number),
    });
  });

  it('the bot token without acting headers, or from another channel, is refused', async () => {
    const none = await write('/channels/alice/write', t.bot);
    expect(none.status).toBe(403);
    expect(none.body.error.message).toContain('x-acting-user-id');
    const { 'x-acting-user-role': _role, ...partial } = acting('alice');
    expect((await write('/channels/alice/write', t.bot, partial)).status).toBe(403);
    expect((await write('/channels/alice/write', t.bot, acting('bob'))).status).toBe(403);
    expect((await write('/channels/alice/write', t.bot, acting('alice', 'god'))).status).toBe(400);
    // A bot token bound to bob cannot act in alice, even for a message from alice.
    expect((await write('/channels/alice/write', t.bobBot, acting('alice'))).status).toBe(403);
    expect((await write('/channels/bob/write', t.bobBot, acting('bob'))).status).toBe(200);
  });

  it('a token revoked after issue stops working at once (cache off)', async () => {
    const issued = await tokens.issueToken({ channelId: ids.alice, role: 'moderator' });
    expect((await write('/channels/alice/write', issued.token)).status).toBe(200);
    await tokens.revokeToken(issued.id);
    expect((await write('/channels/alice/write', issued.token)).status).toBe(401);
  });
});

describe('log redaction', () => {
  it('never logs bearer tokens, query secrets or token fields, and tags lines with the request id', async () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'trace' }, { write: (line: string) => void lines.push(line) });
    const leaky: FastifyPluginAsync = async (api) => {
      api.get('/leak', async (request) => {
        request.log.info({ headers: request.headers, token: t.owner, body: { accessToken: t.owner } }, 'leaky');
        throw new Error('kaboom');
      });
    };
    const logged = await buildApp({ config: loadConfig({ ADMIN_TOKEN: ADMIN }), db, logger, readiness: [], routes: [leaky] });
    try {
      const res = await logged.inject({
        method: 'GET',
        url: `/api/v1/leak?key=overlaysecret42&token=${t.aliceMod}&code=oauthcode77&page=2`,
        headers: { authorization: `Bearer ${ADMIN}`, cookie: 'sid=cookiesecret9', 'x-request-id': 'req-redact-1' },
      });
      expect(res.statusCode).toBe(500);
    } finally {
      await logged.close();
    }
    const output = lines.join('');
    expect(output).toContain('leaky');
    expect(output).toContain('kaboom');
    expect(output).toContain('page=2');
    for (const secret of [ADMIN, t.owner, t.aliceMod, 'overlaysecret42', 'oauthcode77', 'cookiesecret9']) {
      expect(output).not.toContain(secret);
    }
    const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.req || l.res || l.msg === 'leaky');
    expect(requestLines.length).toBeGreaterThanOrEqual(3);
    for (const line of requestLines) expect(line.reqId).toBe('req-redact-1');
  });
});
