/**
 * The bot's service token relays roles from chat, but Twitch gives the broadcaster badge to one
 * account: once a channel's broadcaster id is known, only that user id may act as broadcaster.
 * And issuing a bot token bound to no channel says what that token can do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { asAdmin, asChatUser, call, startHarness, type Harness } from '../support/harness.js';

const CH = 'bbind';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ label: 'bot_broadcaster', workers: false });
  const created = await call(h, { method: 'POST', url: '/api/v1/channels', headers: asAdmin, payload: { login: CH, broadcasterId: '4242' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('bot token as broadcaster', () => {
  it('is refused for a user id other than the known broadcaster, and accepted for it', async () => {
    const impostor = await call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/pause`, headers: asChatUser(h, CH, { login: CH, userId: '9999', role: 'broadcaster' }),
    });
    expect(impostor.status).toBe(403);
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}` })).body.missionsPaused).toBe(false);

    const real = await call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/pause`, headers: asChatUser(h, CH, { login: CH, userId: '4242', role: 'broadcaster' }),
    });
    expect(real.status, JSON.stringify(real.body)).toBe(200);
    expect(real.body.missionsPaused).toBe(true);
  });

  it('warns when a bot token is issued for every channel, not for one', async () => {
    const unbound = await runCli('server/cli/tokens.ts', ['issue', '--role', 'bot'], { DATABASE_URL: h.database.url });
    expect(unbound.code).toBe(0);
    expect(unbound.stderr).toMatch(/bound to no channel/);
    const bound = await runCli('server/cli/tokens.ts', ['issue', '--role', 'bot', '--channel', CH], { DATABASE_URL: h.database.url });
    expect(bound.code).toBe(0);
    expect(bound.stderr).not.toMatch(/bound to no channel/);
  });
});
