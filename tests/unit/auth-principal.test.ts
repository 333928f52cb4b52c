import { describe, expect, it } from 'vitest';
import {
  actorFor,
  adminFor,
  canSeeChannelSecrets,
  ownerOrAdminFor,
  parseActingUser,
  parseBearer,
  type Principal,
} from '../../server/http/auth/principal.js';
import { DomainError } from '../../server/domain/errors.js';

const alice = { id: 1, login: 'alice' };
const anon: Principal = { kind: 'anonymous' };
const invalid: Principal = { kind: 'invalid' };
const admin: Principal = { kind: 'admin' };
const tok = (role: 'moderator' | 'owner' | 'bot', channelId: number | null): Principal => ({
  kind: 'token',
  tokenId: 9,
  role,
  channelId,
});
const acting = {
  'x-acting-user-id': '42',
  'x-acting-user-login': 'Carol',
  'x-acting-user-display-name': 'Carol%20C',
  'x-acting-user-role': 'broadcaster',
  'x-acting-channel': '#alice',
};

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return 'OK';
};

describe('parseBearer', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer abc', 'abc'],
    ['bearer   ml_x ', 'ml_x'],
    ['Basic abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
    ['Bearer ' + 'x'.repeat(600), null],
  ])('%j → %j', (header, expected) => {
    expect(parseBearer(header)).toBe(expected);
  });
});

describe('parseActingUser', () => {
  it('normalises login and channel, decodes the display name', () => {
    expect(parseActingUser(acting)).toEqual({
      channel: 'alice',
      user: { userId: '42', login: 'carol', displayName: 'Carol C' },
      role: 'broadcaster',
    });
  });

  it('names every missing header in a FORBIDDEN error', () => {
    const { 'x-acting-user-id': _id, 'x-acting-channel': _ch, ...rest } = acting;
    expect(() => parseActingUser(rest)).toThrow(/x-acting-user-id, x-acting-channel/);
    expect(codeOf(() => parseActingUser(rest))).toBe('FORBIDDEN');
  });

  it.each([
    ['x-acting-user-role', 'admin'],
    ['x-acting-user-login', 'bad login'],
    ['x-acting-user-id', 'id with spaces'],
    ['x-acting-channel', 'a'],
    ['x-acting-user-display-name', '%E0%A4%A'],
  ])('refuses a malformed %s', (header, value) => {
    expect(codeOf(() => parseActingUser({ ...acting, [header]: value }))).toBe('VALIDATION');
  });
});

describe('actorFor', () => {
  it.each([
    ['anonymous', anon, {}, 'UNAUTHORIZED'],
    ['invalid token', invalid, {}, 'UNAUTHORIZED'],
    ['admin', admin, {}, 'OK'],
    ['own moderator token', tok('moderator', 1), {}, 'OK'],
    ['own owner token', tok('owner', 1), {}, 'OK'],
    ["another channel's token", tok('owner', 2), {}, 'FORBIDDEN'],
    ['bot without acting user', tok('bot', null), {}, 'FORBIDDEN'],
    ['bot acting in this channel', tok('bot', null), acting, 'OK'],
    ['bot acting from another channel', tok('bot', null), { ...acting, 'x-acting-channel': 'bob' }, 'FORBIDDEN'],
    ['bot bound to this channel', tok('bot', 1), acting, 'OK'],
    ['bot bound to another channel', tok('bot', 2), acting, 'FORBIDDEN'],
  ] as const)('%s → %s', (_label, principal, headers, expected) => {
    expect(codeOf(() => actorFor(principal, headers, alice))).toBe(expected);
  });

  it('builds the dashboard and chat actors', () => {
    expect(actorFor(tok('moderator', 1), {}, alice)).toEqual({
      kind: 'dashboard',
      channelId: 1,
      role: 'moderator',
      tokenId: 9,
    });
    expect(actorFor(tok('bot', null), acting, alice)).toMatchObject({ kind: 'chat', channel: 'alice', role: 'broadcaster' });
  });
});

describe('admin and owner guards', () => {
  it('adminFor: 401 without credential, 403 with a non-admin one', () => {
    expect(codeOf(() => adminFor(anon))).toBe('UNAUTHORIZED');
    expect(codeOf(() => adminFor(tok('owner', 1)))).toBe('FORBIDDEN');
    expect(adminFor(admin)).toEqual({ kind: 'admin' });
  });

  it('ownerOrAdminFor accepts only the admin and this channel’s owner', () => {
    expect(codeOf(() => ownerOrAdminFor(invalid, alice))).toBe('UNAUTHORIZED');
    expect(codeOf(() => ownerOrAdminFor(tok('moderator', 1), alice))).toBe('FORBIDDEN');
    expect(codeOf(() => ownerOrAdminFor(tok('owner', 2), alice))).toBe('FORBIDDEN');
    expect(codeOf(() => ownerOrAdminFor(tok('bot', null), alice))).toBe('FORBIDDEN');
    expect(ownerOrAdminFor(tok('owner', 1), alice)).toMatchObject({ kind: 'dashboard', role: 'owner' });
    expect(canSeeChannelSecrets(tok('owner', 1), alice)).toBe(true);
    expect(canSeeChannelSecrets(tok('moderator', 1), alice)).toBe(false);
  });
});
