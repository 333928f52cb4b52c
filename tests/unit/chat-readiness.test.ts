import { describe, expect, it } from 'vitest';
import { CHAT_GRACE_MS, chatProblem, chatReadiness } from '../../server/twitch/setup-status.js';

describe('the chat readiness check', () => {
  const at = 1_000_000;

  it('passes while connected, and while no bot account is set up yet', async () => {
    expect(chatProblem({ state: 'connected', error: null, since: 0 }, at)).toBeNull();
    expect(chatProblem({ state: 'not_configured', error: 'no bot account', since: 0 }, at)).toBeNull();
    await expect(chatReadiness({ status: () => ({ state: 'connected', error: null, since: 0 }) }, () => at).check()).resolves.toBeUndefined();
  });

  it('fails at once, with the reason, while Twitch refuses the login or the token is dead', async () => {
    expect(chatProblem({ state: 'login_failed', error: 'Login authentication failed', since: at }, at)).toBe('Login authentication failed');
    const check = chatReadiness({ status: () => ({ state: 'token_invalid', error: 'TWITCH_BOT_TOKEN is no longer valid', since: at }) }, () => at);
    await expect(check.check()).rejects.toThrow('TWITCH_BOT_TOKEN is no longer valid');
  });

  it('tolerates a reconnect (a routine RECONNECT) up to the grace, then fails', () => {
    const reconnecting = { state: 'connecting' as const, error: 'Connection closed.', since: at };
    expect(chatProblem(reconnecting, at + CHAT_GRACE_MS)).toBeNull();
    expect(chatProblem(reconnecting, at + CHAT_GRACE_MS + 1)).toMatch(/^chat disconnected since /);
  });

  it("fails while Twitch refuses the bot's lines in a channel, naming it and why", async () => {
    const connected = { state: 'connected' as const, error: null, since: 0 };
    let muted = [{ channel: 'acme', reason: 'msg_banned' }];
    const check = chatReadiness({ status: () => connected, mutedChannels: () => muted }, () => at);
    await expect(check.check()).rejects.toThrow("Twitch refuses the bot's lines in #acme (msg_banned)");
    muted = [];
    await expect(check.check()).resolves.toBeUndefined();
  });
});
