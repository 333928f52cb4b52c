/** The dashboard's static files and SPA fallback, and `npm run login-link` against a real database. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { buildApp } from '../../server/http/app.js';
import { dashboardStaticPlugin, DASHBOARD_CSP } from '../../server/http/plugins/dashboard-static.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let dist: string;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase('dashboard_static');
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-dist-'));
  const config = loadConfig({ DATABASE_URL: database.url, PUBLIC_URL: 'http://localhost:3000' });
  app = await buildApp({ config, db: database, readiness: [], routes: [], plugins: [dashboardStaticPlugin({ dist })] });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
  fs.rmSync(dist, { recursive: true, force: true });
});

describe('dashboard static files', () => {
  it('says how to build the dashboard while dist is missing', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('npm run build:dashboard');
  });

  it('serves index.html for the app paths, hashed assets for long, and leaves server 404s alone', async () => {
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Mission Link</title><div id="app"></div>');
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    for (const url of ['/', '/c/somechannel', '/c/somechannel/overlay', '/p/somechannel']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<div id="app">');
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const api = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('NOT_FOUND');
    const missing = await app.inject({ method: 'GET', url: '/assets/missing.js' });
    expect(missing.statusCode).toBe(404);
    const escape = await app.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' });
    expect(escape.statusCode).toBe(404);
  });
});

describe('npm run login-link', () => {
  it('prints a working single-use sign-in link for the database named by DATABASE_URL', async () => {
    const result = await runCli('server/cli/login-link.ts', [], { DATABASE_URL: database.url, PUBLIC_URL: 'https://missions.example.com' });
    expect(result.code, result.stderr).toBe(0);
    const match = /^Sign in: https:\/\/missions\.example\.com\/login\/([A-Za-z0-9_-]{32})$/m.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const first = await app.inject({ method: 'GET', url: `/login/${match![1]}` });
    expect(first.statusCode).toBe(302);
    const second = await app.inject({ method: 'GET', url: `/login/${match![1]}` });
    expect(second.statusCode).toBe(410);
  });

  it('--end-sessions signs every browser out first', async () => {
    const { code } = await app.sessions.createLoginLink();
    const signedIn = await app.inject({ method: 'GET', url: `/login/${code}` });
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    const before = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
    expect(before.json().signedIn).toBe(true);
    const result = await runCli('server/cli/login-link.ts', ['--end-sessions'], { DATABASE_URL: database.url });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Signed out [1-9]\d* session/);
    expect(result.stdout).toMatch(/^Sign in: http:\/\/localhost:3000\/login\//m);
    const after = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
    expect(after.json().signedIn).toBe(false);
  });
});
