import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from '../../server/twitch/token-crypto.js';
import { redactSecrets } from '../../server/twitch/redact.js';
import { intervalStartOf } from '../../server/twitch/accrual-job.js';
import { authorizeUrl, missingScopes } from '../../server/twitch/scopes.js';

describe('token encryption', () => {
  it('round-trips, uses a fresh IV, and refuses another key or a tampered value', () => {
    const key = 'a'.repeat(32);
    const a = encryptSecret(key, 'secret-token');
    expect(a).not.toContain('secret-token');
    expect(encryptSecret(key, 'secret-token')).not.toBe(a);
    expect(decryptSecret(key, a)).toBe('secret-token');
    expect(() => decryptSecret('b'.repeat(32), a)).toThrow(/differs/);
    const parts = a.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => decryptSecret(key, parts.join('.'))).toThrow();
  });
});

describe('redaction', () => {
  it('removes query-string secrets, bearer values and oauth: tokens', () => {
    const text = 'URL: token?grant_type=refresh_token&client_secret=S3CR&refresh_token=R3FR Authorization: OAuth abc123 oauth:xyz789';
    const out = redactSecrets(text);
    for (const secret of ['S3CR', 'R3FR', 'abc123', 'xyz789']) expect(out).not.toContain(secret);
    expect(out).toContain('grant_type=refresh_token');
  });
});

describe('pure helpers', () => {
  it('puts times of one interval on the same start', () => {
    expect(intervalStartOf(new Date('2030-01-01T10:04:59Z'), 300).toISOString()).toBe('2030-01-01T10:00:00.000Z');
    expect(intervalStartOf(new Date('2030-01-01T10:05:00Z'), 300).toISOString()).toBe('2030-01-01T10:05:00.000Z');
  });

  it('asks for the role scopes and reports missing ones', () => {
    const url = new URL(authorizeUrl({ authorizeBase: 'https://id.twitch.tv/oauth2/authorize', clientId: 'c', publicUrl: 'https://x', role: 'bot', state: 's' }));
    expect(url.searchParams.get('scope')).toBe('chat:read chat:edit moderator:read:chatters');
    expect(missingScopes('broadcaster', ['moderation:read'])).toEqual(['channel:read:redemptions', 'channel:manage:redemptions']);
  });
});
