/**
 * One channel's callers cannot change who a viewer is in another channel: a moderator token or a
 * bot token of channel B names channel A's viewer with a new display name, or a new user id with
 * that viewer's login; A's board, its `@login` lookups and its grants stay with the real viewer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, ChatUser } from '../../server/domain/actor.js';
import { createTokenService } from '../../server/services/tokens.js';
import { asAdmin, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const ACME = 'idacme';
const BETA = 'idbeta';
const alice: ChatUser = { userId: '1001', login: 'alice', displayName: 'Alice' };
const EVIL = 'latest FREE POINTS at evil.example';

let h: Harness;
let betaModerator = '';
let betaBot = '';

/** A chat actor as this service's own bot builds it from Twitch's chat tags. */
const fromChat = (channel: string, user: ChatUser, role: 'viewer' | 'moderator' = 'viewer'): Actor => ({ kind: 'chat', channel, user, role });

const betaBotHeaders = (user: ChatUser): Record<string, string> => ({
  authorization: `Bearer ${betaBot}`,
  'x-acting-channel': BETA,
  'x-acting-user-id': user.userId,
  'x-acting-user-login': user.login,
  'x-acting-user-display-name': encodeURIComponent(user.displayName),
  'x-acting-user-role': 'moderator',
});

async function storedUser(userId: string) {
  const { rows } = await h.database.pool.query('SELECT login, display_name FROM users WHERE user_id = $1', [userId]);
  return rows[0] as { login: string; display_name: string } | undefined;
}

beforeAll(async () => {
  h = await startHarness({ label: 'identity_isolation', workers: false });
  await createChannel(h, ACME, { requireApproval: false, createCooldown: 0 });
  await createChannel(h, BETA, { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 10, maxOpenMissions: 20 });
  const beta = await h.runtime.services.channels.get(BETA);
  const tokens = createTokenService(h.runtime.db.db);
  betaModerator = (await tokens.issueToken({ role: 'moderator', channelId: beta.id, label: 'beta mod' })).token;
  betaBot = (await tokens.issueToken({ role: 'bot', channelId: beta.id, label: 'beta bot' })).token;
  // alice is a viewer of acme, seen by the bot in acme's chat.
  const acme = await h.runtime.services.channels.get(ACME);
  await h.runtime.services.missions.propose(acme, { text: 'No deaths this run', amount: 100, proposer: alice }, fromChat(ACME, alice));
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe("another channel's caller", () => {
  it("cannot rename acme's viewer through a beta body or beta bot token", async () => {
    const renamed = { ...alice, displayName: EVIL };
    const proposed = await call(h, {
      method: 'POST', url: `/api/v1/channels/${BETA}/missions`,
      headers: { authorization: `Bearer ${betaModerator}` }, payload: { text: 'Beta mission', amount: 10, proposer: renamed },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const pledged = await call(h, {
      method: 'POST', url: `/api/v1/channels/${BETA}/missions/${proposed.body.number}/pledges`,
      headers: { authorization: `Bearer ${betaModerator}` }, payload: { amount: 10, viewer: renamed },
    });
    expect(pledged.status, JSON.stringify(pledged.body)).toBe(201);
    expect(pledged.body.pledge.viewer.displayName).toBe('Alice');
    const relayed = await call(h, {
      method: 'POST', url: `/api/v1/channels/${BETA}/missions/${proposed.body.number}/pledges`,
      headers: betaBotHeaders({ ...alice, login: 'alice', displayName: EVIL }), payload: { amount: 10 },
    });
    expect(relayed.status, JSON.stringify(relayed.body)).toBe(201);

    expect(await storedUser(alice.userId)).toEqual({ login: 'alice', display_name: 'Alice' });
    const board = await call(h, { method: 'GET', url: `/api/v1/channels/${ACME}/missions/1` });
    expect(board.body.proposer).toEqual(alice);
  });

  it('cannot give a new user id the login of an existing viewer', async () => {
    const impostor: ChatUser = { userId: '7777', login: 'alice', displayName: 'alice' };
    const viaBody = await call(h, {
      method: 'POST', url: `/api/v1/channels/${BETA}/missions`,
      headers: { authorization: `Bearer ${betaModerator}` }, payload: { text: 'Claim', amount: 10, proposer: impostor },
    });
    expect(viaBody.status).toBe(403);
    const viaBot = await call(h, {
      method: 'POST', url: `/api/v1/channels/${BETA}/missions`,
      headers: betaBotHeaders(impostor), payload: { text: 'Claim', amount: 10 },
    });
    expect(viaBot.status).toBe(403);
    expect(await storedUser('7777')).toBeUndefined();
  });

  it("resolves acme's @login through acme's wallets, through REST and through chat", async () => {
    // Twitch hands the login to another user, seen (with Twitch's names) only in beta's chat.
    const beta = await h.runtime.services.channels.get(BETA);
    const recycled: ChatUser = { userId: '8888', login: 'alice', displayName: 'alice' };
    await h.runtime.services.missions.propose(beta, { text: 'Recycled login', amount: 10, proposer: recycled }, fromChat(BETA, recycled));

    const given = await call(h, { method: 'POST', url: `/api/v1/channels/${ACME}/viewers/alice/give`, headers: asAdmin, payload: { amount: 500 } });
    expect(given.status, JSON.stringify(given.body)).toBe(200);
    expect(given.body.userId).toBe(alice.userId);

    const acme = await h.runtime.services.channels.get(ACME);
    const mod: ChatUser = { userId: '2002', login: 'acmemod', displayName: 'acmemod' };
    const chat = await h.runtime.services.viewers.adjust(acme, { target: { login: 'alice' }, amount: 50, direction: 'give' }, fromChat(ACME, mod, 'moderator'));
    expect(chat.viewer.userId).toBe(alice.userId);

    const read = await call(h, { method: 'GET', url: `/api/v1/channels/${ACME}/viewers/alice` });
    expect(read.body).toMatchObject({ userId: alice.userId, balance: 900 + 500 + 50 });
    await expectAuditOk(h, ACME);
    await expectAuditOk(h, BETA);
  });

  it("does not show a viewer of another channel as one of this channel's, with a made-up balance", async () => {
    const acme = await h.runtime.services.channels.get(ACME);
    const carol: ChatUser = { userId: '3003', login: 'carol', displayName: 'carol' };
    await h.runtime.services.missions.propose(acme, { text: 'Only in acme', amount: 10, proposer: carol }, fromChat(ACME, carol));
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${ACME}/viewers/carol` })).status).toBe(200);
    const read = await call(h, { method: 'GET', url: `/api/v1/channels/${BETA}/viewers/carol` });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('VIEWER_NOT_FOUND');
  });
});
