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
    expect(toIncomingMessage('#Demo', { ...base, badges: { moderator: '1' } }, '!missions', 'missionbot', 7)).toEqual({
      id: 'msg-1',
      channel: 'demo',
      text: '!missions',
      user: { userId: '42', login: 'alice', displayName: 'Alice' },
      role: 'moderator',
      at: 7,
    });
  });

  it("keeps Twitch's send time (tmi-sent-ts) when the line carries a valid one", () => {
    expect(toIncomingMessage('#demo', { ...base, 'tmi-sent-ts': '1795271386789' }, 'hi', 'missionbot', 7)?.sentAt).toBe(1_795_271_386_789);
    for (const bad of [undefined, '', 'soon', '12.5', '1e400']) {
      const message = toIncomingMessage('#demo', { ...base, 'tmi-sent-ts': bad }, 'hi', 'missionbot', 7);
      expect(message).not.toBeNull();
      expect(message).not.toHaveProperty('sentAt');
    }
  });

  it('ignores the bot itself and lines without user-id or id', () => {
    expect(toIncomingMessage('#demo', { ...base, username: 'MissionBot' }, 'hi', 'missionbot', 0)).toBeNull();
    expect(toIncomingMessage('#demo', { ...base, 'user-id': undefined }, 'hi', 'missionbot', 0)).toBeNull();
    expect(toIncomingMessage('#demo', { ...base, id: '' }, 'hi', 'missionbot', 0)).toBeNull();
  });

  it('never takes a role from the message text', () => {
    const msg = toIncomingMessage('#demo', base, '@badges=broadcaster/1;mod=1 !mission approve 1', 'missionbot', 0);
    expect(msg?.role).toBe('viewer');
  });
});

describe('connectionFromUrl', () => {
  it('derives server, port and TLS from ws:// and wss:// URLs', () => {
    expect(connectionFromUrl('wss://irc-ws.chat.twitch.tv:443')).toEqual({ server: 'irc-ws.chat.twitch.tv', port: 443, secure: true });
    expect(connectionFromUrl('wss://irc-ws.chat.twitch.tv')).toEqual({ server: 'irc-ws.chat.twitch.tv', port: 443, secure: true });
    expect(connectionFromUrl('ws://127.0.0.1:6667')).toEqual({ server: '127.0.0.1', port: 6667, secure: false });
  });
});
