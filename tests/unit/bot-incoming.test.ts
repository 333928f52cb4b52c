import { describe, expect, it } from 'vitest';
import { badgesOf, channelStateOf, roleOf, toIncomingMessage } from '../../bot/incoming.js';
import { connectionFromUrl } from '../../bot/tmi-client.js';

const base = { 'user-id': '42', id: 'msg-1', username: 'alice', 'display-name': 'Alice' };

describe('roles from IRC tags', () => {
  it('reads broadcaster, moderator and lead moderator badges and the mod flag', () => {
    expect(roleOf({ badges: { broadcaster: '1' } })).toBe('broadcaster');
    expect(roleOf({ badges: { moderator: '1' } })).toBe('moderator');
    expect(roleOf({ badges: { lead_moderator: '1' } })).toBe('moderator');
    expect(roleOf({ mod: true })).toBe('moderator');
    expect(roleOf({ mod: '1', badges: 'subscriber/12' })).toBe('moderator');
    expect(roleOf({ mod: false, badges: { subscriber: '12', vip: '1' } })).toBe('viewer');
    expect(roleOf({ badges: null })).toBe('viewer');
  });

  it('parses raw badge strings as tmi.js raw messages carry them', () => {
    expect(badgesOf({ badges: 'broadcaster/1,subscriber/0' })).toEqual({ broadcaster: '1', subscriber: '0' });
    expect(badgesOf({ badges: '' })).toEqual({});
  });

  it('reads the bot standing from USERSTATE, trusting the fresh mod flag after an unmod', () => {
    expect(channelStateOf({ mod: '0', badges: '', 'user-type': 'mod' })).toEqual({ mod: false, broadcaster: false });
    expect(channelStateOf({ mod: '1', badges: 'moderator/1' })).toEqual({ mod: true, broadcaster: false });
    expect(channelStateOf({ mod: '0', badges: 'broadcaster/1' })).toEqual({ mod: true, broadcaster: true });
  });
});

describe('toIncomingMessage', () => {
  it('builds a message keyed on user-id, with the channel name cleaned', () => {
    expect(toIncomingMessage('#Demo', { ...base, badges: { moderator: '1' } }, '!missions', 7)).toEqual({
      id: 'msg-1',
      channel: 'demo',
      text: '!missions',
      user: { userId: '42', login: 'alice', displayName: 'Alice' },
      role: 'moderator',
      at: 7,
    });
  });

  it("keeps Twitch's send time (tmi-sent-ts) when the line carries a valid one", () => {
    expect(toIncomingMessage('#demo', { ...base, 'tmi-sent-ts': '1795271386789' }, 'hi', 7)?.sentAt).toBe(1_795_271_386_789);
    for (const bad of [undefined, '', 'soon', '12.5', '1e400']) {
      const message = toIncomingMessage('#demo', { ...base, 'tmi-sent-ts': bad }, 'hi', 7);
      expect(message).not.toBeNull();
      expect(message).not.toHaveProperty('sentAt');
    }
  });

  it("keeps lines from the bot's own login (the streamer's account as the bot), drops lines without user-id or id", () => {
    expect(toIncomingMessage('#demo', { ...base, username: 'MissionBot' }, '!mission success 1', 0)?.user.login).toBe('missionbot');
    expect(toIncomingMessage('#demo', { ...base, 'user-id': undefined }, 'hi', 0)).toBeNull();
    expect(toIncomingMessage('#demo', { ...base, id: '' }, 'hi', 0)).toBeNull();
  });

  it('never takes a role from the message text', () => {
    const msg = toIncomingMessage('#demo', base, '@badges=broadcaster/1;mod=1 !mission approve 1', 0);
    expect(msg?.role).toBe('viewer');
  });
});

describe('chat lines as Twitch sends them', () => {
  const reply = { 'reply-parent-msg-id': 'p-1', 'reply-parent-user-login': 'missionbot', 'reply-parent-display-name': 'MissionBot' };

  it("drops the one leading mention of a reply's parent, and only with reply tags", () => {
    expect(toIncomingMessage('#demo', { ...base, ...reply }, '@missionbot !pledge 3 100', 0)?.text).toBe('!pledge 3 100');
    expect(toIncomingMessage('#demo', { ...base, ...reply }, '@MissionBot !pledge 3 100', 0)?.text).toBe('!pledge 3 100');
    expect(toIncomingMessage('#demo', { ...base, ...reply }, '@missionbot @missionbot !pledge 3 100', 0)?.text).toBe('@missionbot !pledge 3 100');
    // A typed mention without Reply, or a mention of someone else than the parent, stays.
    expect(toIncomingMessage('#demo', base, '@missionbot !pledge 3 100', 0)?.text).toBe('@missionbot !pledge 3 100');
    expect(toIncomingMessage('#demo', { ...base, ...reply }, '@alice !pledge 3 100', 0)?.text).toBe('@alice !pledge 3 100');
  });

  it('drops the padding chat clients add to a repeated line (U+034F, U+E0000)', () => {
    expect(toIncomingMessage('#demo', base, '!pledge 3 100 \u034F', 0)?.text).toBe('!pledge 3 100');
    expect(toIncomingMessage('#demo', base, '!pledge 3 100 \u{E0000}', 0)?.text).toBe('!pledge 3 100');
    expect(toIncomingMessage('#demo', { ...base, ...reply }, '@missionbot !points \u{E0000}', 0)?.text).toBe('!points');
  });

  it("ignores lines a Shared Chat partner's channel shares in, keeps this channel's own", () => {
    expect(toIncomingMessage('#demo', { ...base, 'room-id': '100', 'source-room-id': '200' }, '!points', 0)).toBeNull();
    expect(toIncomingMessage('#demo', { ...base, 'room-id': '100', 'source-room-id': '100' }, '!points', 0)).toMatchObject({ roomId: '100' });
    expect(toIncomingMessage('#demo', { ...base, 'room-id': '100' }, '!points', 0)).toMatchObject({ roomId: '100' });
  });
});

describe('connectionFromUrl', () => {
  it('derives server, port and TLS from ws:// and wss:// URLs', () => {
    expect(connectionFromUrl('wss://irc-ws.chat.twitch.tv:443')).toEqual({ server: 'irc-ws.chat.twitch.tv', port: 443, secure: true });
    expect(connectionFromUrl('wss://irc-ws.chat.twitch.tv')).toEqual({ server: 'irc-ws.chat.twitch.tv', port: 443, secure: true });
    expect(connectionFromUrl('ws://127.0.0.1:6667')).toEqual({ server: '127.0.0.1', port: 6667, secure: false });
  });
});
