import { describe, expect, it } from 'vitest';
import { channelChecklist, instanceChecklist, type SetupFacts } from '../../server/setup/checklist.js';

const fresh: SetupFacts = {
  twitchApp: { clientId: false, clientSecret: false, encryptionKey: false },
  botEnv: { username: null, token: false },
  simulatedChat: false,
  tokens: [],
  bot: { running: false, channels: [] },
  chat: null,
  channel: null,
  channelCount: 0,
};
const channel = { login: 'streamer', broadcasterId: '42', overlaysConnected: 0, overlaySeen: false, missionsEver: 0 };
const byId = (items: ReturnType<typeof channelChecklist>) => Object.fromEntries(items.map((i) => [i.id, i]));

describe('setup checklist', () => {
  it('on a fresh install asks for the channel, the Twitch app and the bot account, with the next step', () => {
    const items = byId(instanceChecklist(fresh));
    expect(Object.keys(items)).toEqual(['channel', 'twitch-app', 'bot-account']);
    expect(items.channel).toMatchObject({ ok: false, action: { method: 'POST', href: '/api/v1/channels' } });
    expect(items['twitch-app']!.ok).toBe(false);
    expect(items['twitch-app']!.detail).toContain('TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET, TOKEN_ENCRYPTION_KEY');
    expect(items['bot-account']).toMatchObject({ ok: false, action: { href: '/auth/twitch?as=bot' } });
  });

  it('follows what is connected for one channel', () => {
    const facts: SetupFacts = {
      ...fresh,
      twitchApp: { clientId: true, clientSecret: true, encryptionKey: true },
      tokens: [
        { role: 'bot', userId: '1', login: 'missionbot', status: 'valid' },
        { role: 'broadcaster', userId: '42', login: 'streamer', status: 'invalid' },
      ],
      bot: { running: true, channels: ['streamer'] },
      channel: { ...channel, overlaySeen: true, missionsEver: 3 },
      channelCount: 1,
    };
    const items = byId(channelChecklist(facts));
    expect(Object.keys(items)).toEqual(['twitch-app', 'bot-account', 'broadcaster', 'bot-joined', 'overlay-seen', 'try-it']);
    expect(items['twitch-app']!.ok).toBe(true);
    expect(items['bot-account']).toMatchObject({ ok: true, detail: expect.stringContaining('missionbot') });
    expect(items.broadcaster).toMatchObject({ ok: false, title: 'Reconnect the broadcaster', action: { href: '/auth/twitch?as=broadcaster' } });
    expect(items['bot-joined']!.ok).toBe(true);
    expect(items['overlay-seen']!.ok).toBe(true);
    expect(items['try-it']!.ok).toBe(true);
  });

  it('with the local chat simulator needs no Twitch account, and says the bot is unknown when it runs elsewhere', () => {
    const items = byId(channelChecklist({ ...fresh, simulatedChat: true, bot: null, channel, channelCount: 1 }));
    expect(items['bot-account']!.ok).toBe(true);
    expect(items['twitch-app']!.detail).toContain('Not needed');
    expect(items['bot-joined']).toMatchObject({ ok: false, title: 'Bot not started yet' });
    expect(items['overlay-seen']).toMatchObject({ ok: false, action: { href: '/c/streamer/overlay' } });
    expect(items['try-it']!.detail).toContain('chat panel');
  });

  it('reads the bot process\'s recorded chat standing when the bot runs elsewhere', () => {
    const elsewhere = (chat: SetupFacts['chat']) => byId(channelChecklist({ ...fresh, bot: null, chat, channel, channelCount: 1 }))['bot-joined']!;
    expect(elsewhere({ ok: true, detail: 'connected', fresh: true })).toMatchObject({ ok: true, title: 'Bot in chat' });
    expect(elsewhere({ ok: true, detail: 'connected', fresh: false })).toMatchObject({ ok: false, title: 'Bot process not reporting' });
    const refused = elsewhere({ ok: false, detail: 'Login authentication failed', fresh: true });
    expect(refused).toMatchObject({ ok: false, title: 'Bot not in chat' });
    expect(refused.detail).toContain('Login authentication failed');
  });
});
