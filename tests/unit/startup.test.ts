/** What `npm start` decides before anything runs: Node version, `.env`, log format, banner, request logs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { botSetupHint } from '../../server/startup/bot-setup-hint.js';
import { loadConfig } from '../../server/config.js';
import { createLogger, logFormatFor, quietRequestLogs } from '../../server/http/logger.js';
import { createBanner, renderBanner } from '../../server/startup/banner.js';
import { describeStart } from '../../server/startup/describe.js';
import { loadEnvFile } from '../../server/startup/env-file.js';
import { MINIMUM_NODE, nodeVersionProblem } from '../../server/startup/node-version.js';

describe('Node version', () => {
  it('declares in package.json the minimum that npm start enforces', () => {
    const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(manifest.engines.node).toBe(`>=${MINIMUM_NODE.replace(/\.0$/, '')}`);
  });

  it('refuses an older Node in one line and accepts this one', () => {
    expect(nodeVersionProblem('20.10.0')).toMatch(/^Mission Link needs Node 20\.19\.0 or newer \(this is Node 20\.10\.0\)\..*nodejs\.org/);
    expect(nodeVersionProblem('v18.20.1')).toContain('this is Node 18.20.1');
    expect(nodeVersionProblem('20.19.0')).toBeUndefined();
    expect(nodeVersionProblem('22.1.0')).toBeUndefined();
    expect(nodeVersionProblem(process.versions.node)).toBeUndefined();
  });
});

describe('.env', () => {
  it('loads ./.env when present, the process environment winning, and says which file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-env-'));
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, 'ML_TEST_FROM_FILE=file\nML_TEST_BOTH=file\n');
    process.env.ML_TEST_BOTH = 'environment';
    try {
      expect(loadEnvFile(file)).toBe(file);
      expect(process.env.ML_TEST_FROM_FILE).toBe('file');
      expect(process.env.ML_TEST_BOTH).toBe('environment');
      expect(loadEnvFile(path.join(dir, 'missing.env'))).toBeUndefined();
    } finally {
      delete process.env.ML_TEST_FROM_FILE;
      delete process.env.ML_TEST_BOTH;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('log format', () => {
  it('is pretty on a terminal, JSON without one or in production, and LOG_FORMAT overrides', () => {
    expect(logFormatFor(loadConfig({}), true)).toBe('pretty');
    expect(logFormatFor(loadConfig({}), false)).toBe('json');
    expect(logFormatFor(loadConfig({ NODE_ENV: 'production' }), true)).toBe('json');
    expect(logFormatFor(loadConfig({ LOG_FORMAT: 'json' }), true)).toBe('json');
    expect(logFormatFor(loadConfig({ LOG_FORMAT: 'pretty' }), false)).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be one of json, pretty/);
  });

  it('logs each HTTP request at debug, not info', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const app = Fastify({ loggerInstance: createLogger({ logLevel: 'info' }, sink), logController: quietRequestLogs() });
    app.get('/ping', async () => ({ ok: true }));
    expect((await app.inject('/ping')).statusCode).toBe(200);
    expect(lines.join('')).not.toMatch(/incoming request|request completed/);
    await app.close();

    const debugLines: string[] = [];
    const debugSink = new Writable({ write: (chunk, _enc, done) => (debugLines.push(String(chunk)), done()) });
    const debugApp = Fastify({ loggerInstance: createLogger({ logLevel: 'debug' }, debugSink), logController: quietRequestLogs() });
    debugApp.get('/ping', async () => ({ ok: true }));
    await debugApp.inject('/ping');
    expect(debugLines.join('')).toMatch(/"level":20,.*"msg":"request completed"/);
    await debugApp.close();
  });
});

describe('banner', () => {
  const config = loadConfig({ PORT: '3100' });

  it('starts with where to go, then what is missing with the next step', () => {
    const banner = createBanner();
    banner.add(
      ...describeStart({
        config,
        server: { dashboard: false, channels: [{ login: 'alice', overlayKey: 'k/1' }] },
        bot: { running: false },
        envFile: undefined,
        embedded: { home: '/data', port: 54329 },
      }),
    );
    banner.add({ section: 'open', label: 'Sign in', text: 'http://localhost:3100/login/abc' });
    const lines = banner.lines();
    expect(lines.slice(0, 4).map((l) => l.label)).toEqual(['Dashboard', 'API reference', 'Overlay alice', 'Sign in']);
    const text = renderBanner('Mission Link is running', lines);
    expect(text).toContain('http://localhost:3100/overlay/alice?key=k%2F1');
    expect(text).toContain('http://localhost:3100/docs');
    expect(text).toContain('http://localhost:3100/ (coming soon)');
    expect(text).toMatch(/! Chat bot\s+not started\n\s+→ .*\/auth\/twitch\?as=bot/);
    expect(text).toContain('copy .env.example to .env');
    expect(text).toContain('embedded Postgres on 127.0.0.1:54329, data in /data');
  });

  it('adds the LAN overlay link for OBS on another PC when HOST listens on every interface', () => {
    const lan = loadConfig({ PORT: '3100', HOST: '0.0.0.0' });
    const text = renderBanner(
      'x',
      describeStart({ config: lan, server: { dashboard: true, channels: [{ login: 'alice', overlayKey: 'k' }] }, envFile: undefined, embedded: undefined, lanAddresses: ['192.168.1.20'] }),
    );
    expect(text).toContain('http://localhost:3100/overlay/alice?key=k');
    expect(text).toContain('http://192.168.1.20:3100/overlay/alice?key=k');
  });

  it('tells a new streamer to create a channel when there is none, and names the .env it loaded', () => {
    const text = renderBanner(
      'x',
      describeStart({ config, server: { dashboard: true, channels: [] }, envFile: '/srv/ml/.env', embedded: undefined }),
    );
    expect(text).toContain('open the Sign in link: the dashboard creates it');
    expect(text).toContain('npm run channels -- create <your Twitch login>');
    expect(text).toContain('loaded /srv/ml/.env');
    expect(text).not.toContain('coming soon');
  });

  it('names the bot login route in the "bot not started" hint, for each state of the set-up', () => {
    expect(botSetupHint(config)).toMatch(/TWITCH_CLIENT_ID.*\/auth\/twitch\?as=bot/);
    const app = loadConfig({ PORT: '3100', TWITCH_CLIENT_ID: 'id', TWITCH_CLIENT_SECRET: 'secret' });
    expect(botSetupHint(app)).toMatch(/^set TWITCH_BOT_USERNAME .*http:\/\/localhost:3100\/auth\/twitch\?as=bot/);
    const named = loadConfig({ PORT: '3100', TWITCH_CLIENT_ID: 'id', TWITCH_CLIENT_SECRET: 'secret', TWITCH_BOT_USERNAME: 'MyBot' });
    expect(botSetupHint(named)).toBe('log in as the bot account (mybot) at http://localhost:3100/auth/twitch?as=bot; the bot joins chat within seconds, no restart needed');
  });
});
