import { describe, expect, it } from 'vitest';
import { actorFor, adminFor, canSeeChannelSecrets, channelRoleFor, ownerOrAdminFor, type Principal } from '../../server/http/auth/principal.js';
import { sameOrigin } from '../../server/http/session/session-plugin.js';

const alice = { id: 1, login: 'alice' };
const bob = { id: 2, login: 'bob' };
const user = { userId: '77', login: 'carol', displayName: 'Carol' };
const adminSession: Principal = { kind: 'session', sessionId: 1, admin: true, user: null, grants: [] };
const twitch = (role: 'owner' | 'moderator'): Principal => ({
  kind: 'session',
  sessionId: 2,
  admin: false,
  user,
  grants: [{ channelId: alice.id, login: alice.login, role }],
});

describe('session principals', () => {
  it('an admin session is the admin everywhere', () => {
    // `via`: the audit trail records a session's writes as made in the dashboard.
    expect(actorFor(adminSession, {}, bob)).toEqual({ kind: 'admin', via: 'dashboard' });
    expect(adminFor(adminSession)).toEqual({ kind: 'admin', via: 'dashboard' });
    expect(channelRoleFor(adminSession, bob)).toBe('admin');
    expect(canSeeChannelSecrets(adminSession, bob)).toBe(true);
  });

  it('a Twitch session acts as its chat user in the channels it has, with the chat role', () => {
    // `relayed`: a session knows no display name of Twitch's, so it never renames the user.
    expect(actorFor(twitch('moderator'), {}, alice)).toEqual({ kind: 'chat', channel: 'alice', user, role: 'moderator', relayed: true, via: 'dashboard' });
    expect(actorFor(twitch('owner'), {}, alice)).toEqual({ kind: 'chat', channel: 'alice', user, role: 'broadcaster', relayed: true, via: 'dashboard' });
    expect(ownerOrAdminFor(twitch('owner'), alice)).toMatchObject({ role: 'broadcaster' });
    expect(canSeeChannelSecrets(twitch('owner'), alice)).toBe(true);
    expect(canSeeChannelSecrets(twitch('moderator'), alice)).toBe(false);
  });

  it('refuses a Twitch session elsewhere, and a moderator owner-only actions', () => {
    expect(() => actorFor(twitch('owner'), {}, bob)).toThrow(/not the broadcaster or a moderator of bob/);
    expect(() => ownerOrAdminFor(twitch('moderator'), alice)).toThrow(/owner or the admin/);
    expect(() => adminFor(twitch('owner'))).toThrow(/Only the admin/);
    expect(channelRoleFor(twitch('moderator'), bob)).toBeNull();
  });
});

describe('sameOrigin', () => {
  const pub = 'https://missions.example.com';
  it('accepts the public origin and the host the request went to, default ports included', () => {
    expect(sameOrigin('https://missions.example.com', 'internal:3000', pub)).toBe(true);
    expect(sameOrigin('http://127.0.0.1:3000', '127.0.0.1:3000', pub)).toBe(true);
    expect(sameOrigin('http://localhost', 'localhost:80', pub)).toBe(true);
  });
  it('refuses other sites, other ports, opaque and malformed origins', () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1:3001', 'null', '', 'not a url', 'file://x', undefined]) {
      expect(sameOrigin(origin, '127.0.0.1:3000', pub), String(origin)).toBe(false);
    }
  });
});
