/**
 * The dashboard's setup checklist: what works and what is missing, each with the next step in
 * plain words. Pure: one function per item, deciding from {@link SetupFacts}, which the caller
 * gathers (configuration, stored Twitch tokens, the bot's state in this process, overlays seen).
 */

export interface SetupAction {
  label: string;
  href: string;
  /** `GET` (a link, the default) or `POST` (a button that calls the API). */
  method?: 'GET' | 'POST';
}

export interface SetupItem {
  id: 'channel' | 'twitch-app' | 'bot-account' | 'broadcaster' | 'bot-joined' | 'overlay-seen' | 'try-it';
  ok: boolean;
  title: string;
  detail: string;
  action?: SetupAction;
}

export interface StoredTwitchToken {
  role: 'bot' | 'broadcaster';
  userId: string;
  login: string;
  status: 'valid' | 'invalid';
  /** Why Twitch refused it, when invalid. */
  error?: string | null;
}

export interface SetupFacts {
  twitchApp: { clientId: boolean; clientSecret: boolean; encryptionKey: boolean };
  /** TWITCH_BOT_USERNAME and TWITCH_BOT_TOKEN from the environment. */
  botEnv: { username: string | null; token: boolean };
  /** The bot's chat endpoint is not Twitch's (the local simulator of `npm run demo` or tests). */
  simulatedChat: boolean;
  tokens: readonly StoredTwitchToken[];
  /** The bot running in this process, or null when it runs elsewhere (or not at all). */
  bot: { running: boolean; channels: readonly string[] } | null;
  /**
   * The bot's chat standing as the bot process last recorded it (any process; null before it
   * ever ran), and whether that record is recent enough to mean the bot process is alive.
   */
  chat: { ok: boolean; detail: string | null; fresh: boolean } | null;
  /** The channel the list is about, or null for the instance-wide list. */
  channel: {
    login: string;
    broadcasterId: string | null;
    /** Overlays connected to this server now, and whether one ever connected since it started. */
    overlaysConnected: number;
    overlaySeen: boolean;
    missionsEver: number;
  } | null;
  channelCount: number;
}

export function channelItem(f: SetupFacts): SetupItem {
  return f.channelCount > 0
    ? { id: 'channel', ok: true, title: 'Channel added', detail: `${f.channelCount} channel${f.channelCount === 1 ? '' : 's'} on this Mission Link.` }
    : {
        id: 'channel',
        ok: false,
        title: 'Add your channel',
        detail: 'Type your Twitch channel login (the name in twitch.tv/<name>) to create it.',
        action: { label: 'Create channel', href: '/api/v1/channels', method: 'POST' },
      };
}

export function twitchAppItem(f: SetupFacts): SetupItem {
  const { clientId, clientSecret, encryptionKey } = f.twitchApp;
  if (clientId && clientSecret && encryptionKey) {
    return { id: 'twitch-app', ok: true, title: 'Twitch app configured', detail: 'TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET and TOKEN_ENCRYPTION_KEY are set.' };
  }
  const missing = [!clientId && 'TWITCH_CLIENT_ID', !clientSecret && 'TWITCH_CLIENT_SECRET', !encryptionKey && 'TOKEN_ENCRYPTION_KEY'].filter(Boolean);
  return {
    id: 'twitch-app',
    ok: false,
    title: 'Connect a Twitch app',
    detail:
      `Register an application at dev.twitch.tv/console (OAuth redirect: <PUBLIC_URL>/auth/twitch/callback), then set ${missing.join(', ')} ` +
      '(the key: any random text of 32 characters or more) and restart.' +
      (f.simulatedChat ? ' Not needed to try Mission Link with the local chat simulator.' : ''),
  };
}

export function botAccountItem(f: SetupFacts): SetupItem {
  if (f.simulatedChat) {
    return { id: 'bot-account', ok: true, title: 'Bot account ready', detail: 'The bot talks to the local chat simulator; no Twitch account is needed.' };
  }
  const stored = f.tokens.find((t) => t.role === 'bot');
  if (f.botEnv.username && f.botEnv.token) {
    return { id: 'bot-account', ok: true, title: 'Bot account connected', detail: `${f.botEnv.username} chats with the token from TWITCH_BOT_TOKEN.` };
  }
  if (stored?.status === 'valid') {
    return { id: 'bot-account', ok: true, title: 'Bot account connected', detail: `${stored.login} chats with the token stored by the Twitch login.` };
  }
  return {
    id: 'bot-account',
    ok: false,
    title: stored ? 'Reconnect the bot account' : 'Connect the bot account',
    detail: stored
      ? `Twitch no longer accepts the stored token of ${stored.login}${stored.error ? ` (${stored.error})` : ''}. Log in again as the bot account.`
      : 'Log in to Twitch as the account the bot chats as (a second account, or your own), and accept the chat permissions.',
    action: { label: 'Connect bot account', href: '/auth/twitch?as=bot' },
  };
}

export function broadcasterItem(f: SetupFacts): SetupItem {
  const ch = f.channel;
  const mine = f.tokens.filter((t) => t.role === 'broadcaster' && (ch === null || t.userId === ch.broadcasterId || t.login === ch.login));
  const valid = mine.find((t) => t.status === 'valid');
  if (valid) {
    return { id: 'broadcaster', ok: true, title: 'Broadcaster connected', detail: `${valid.login} is connected: moderators, viewers' watch time and channel points work.` };
  }
  return {
    id: 'broadcaster',
    ok: false,
    title: mine.length > 0 ? 'Reconnect the broadcaster' : 'Connect the broadcaster',
    detail:
      (mine.length > 0 ? `Twitch no longer accepts the stored token of ${mine[0]!.login}. ` : '') +
      'Log in to Twitch as the channel owner so Mission Link can read moderators and viewers and add the channel-points reward. Missions work without it.',
    action: { label: 'Connect broadcaster', href: '/auth/twitch?as=broadcaster' },
  };
}

export function botJoinedItem(f: SetupFacts): SetupItem {
  const login = f.channel?.login;
  if (f.chat !== null && !f.chat.ok && f.chat.fresh) {
    return { id: 'bot-joined', ok: false, title: 'Bot not in chat', detail: `The bot cannot chat: ${f.chat.detail ?? 'unknown reason'}.` };
  }
  if (f.bot === null) {
    // The bot runs in another process: its recorded standing is all this process knows.
    if (f.chat?.fresh && f.chat.detail === 'connected') {
      return { id: 'bot-joined', ok: true, title: 'Bot in chat', detail: 'The bot process is connected to chat and joins every channel of this Mission Link.' };
    }
    return {
      id: 'bot-joined',
      ok: false,
      title: f.chat === null ? 'Bot not started yet' : 'Bot process not reporting',
      detail:
        f.chat === null
          ? 'No bot process has run yet: npm start runs it (npm run start:bot runs it alone).'
          : 'The bot process has not reported for a while; check that it runs (npm run start:bot) and read its log.',
    };
  }
  if (!f.bot.running) {
    return { id: 'bot-joined', ok: false, title: 'Bot not running', detail: 'The bot has no chat account yet: connect the bot account, then restart.' };
  }
  if (login !== undefined && !f.bot.channels.includes(login)) {
    return { id: 'bot-joined', ok: false, title: 'Bot joining the channel', detail: `The bot joins #${login} within about ten seconds of the channel being added.` };
  }
  return { id: 'bot-joined', ok: true, title: 'Bot in chat', detail: login ? `The bot has joined #${login}.` : `The bot is in ${f.bot.channels.length} channel(s).` };
}

export function overlaySeenItem(f: SetupFacts): SetupItem {
  const ch = f.channel;
  const href = ch ? `/c/${ch.login}/overlay` : '/';
  if (ch && (ch.overlaysConnected > 0 || ch.overlaySeen)) {
    return {
      id: 'overlay-seen',
      ok: true,
      title: 'Overlay added to OBS',
      detail: ch.overlaysConnected > 0 ? `${ch.overlaysConnected} overlay(s) connected right now.` : 'An overlay connected since the server started.',
    };
  }
  return {
    id: 'overlay-seen',
    ok: false,
    title: 'Add the overlay to OBS',
    detail: 'In OBS add a Browser source with the overlay URL, width 1920 and height 1080. It shows here once it connects.',
    action: { label: 'Overlay URL', href },
  };
}

export function tryItItem(f: SetupFacts): SetupItem {
  const ch = f.channel;
  if (ch && ch.missionsEver > 0) return { id: 'try-it', ok: true, title: 'First mission made', detail: `#${ch.login} has had ${ch.missionsEver} mission(s).` };
  return {
    id: 'try-it',
    ok: false,
    title: 'Try it',
    detail: f.simulatedChat
      ? 'In the chat panel, as a viewer, type: !mission Beat the boss without dying 100 10m'
      : 'In your Twitch chat, type: !mission Beat the boss without dying 100 10m — then approve it here.',
    ...(ch ? { action: { label: 'Open the board', href: `/c/${ch.login}` } } : {}),
  };
}

/** The instance-wide list (first run): the channel, the Twitch app and the bot account. */
export function instanceChecklist(f: SetupFacts): SetupItem[] {
  return [channelItem(f), twitchAppItem(f), botAccountItem(f)];
}

/** One channel's list, in the order a streamer sets things up. */
export function channelChecklist(f: SetupFacts): SetupItem[] {
  return [twitchAppItem(f), botAccountItem(f), broadcasterItem(f), botJoinedItem(f), overlaySeenItem(f), tryItItem(f)];
}
