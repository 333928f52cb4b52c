/**
 * A local stand-in for Twitch's auth and Helix endpoints, at the paths twurple uses when
 * `TWURPLE_MOCK_API_PORT` is set (`/auth/...` for id.twitch.tv/oauth2, `/mock/...` for Helix).
 * Tests set its state directly (users, live streams, chatters, refresh behaviour) and read the
 * requests it received. Only what this app calls is implemented.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEventSubMock } from './eventsub-mock.js';

export interface MockUser {
  id: string;
  login: string;
  displayName: string;
}

export interface MockToken {
  userId: string | null;
  scopes: string[];
  expiresIn: number;
}

export interface MockRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
}

export interface MockRedemption {
  id: string;
  broadcasterId: string;
  rewardId: string;
  user: MockUser;
  status: 'UNFULFILLED' | 'FULFILLED' | 'CANCELED';
  redeemedAt: string;
}

export interface HelixMock {
  port: number;
  users: Map<string, MockUser>;
  /** Issued access tokens (valid for /validate and Helix). */
  tokens: Map<string, MockToken>;
  /** Authorization codes the token endpoint accepts, with the user and scopes they grant. */
  codes: Map<string, { userId: string; scopes: string[] }>;
  /**
   * Who Twitch's authorize page (`GET /auth/authorize`) signs in, as a browser would after the
   * person accepted: it issues a code for that user and redirects to `redirect_uri` with the
   * `state`. Null: the page answers 400 (no one is logged in to Twitch).
   */
  authorizeAs: string | null;
  /** Refresh tokens the token endpoint accepts. */
  refreshTokens: Map<string, { userId: string; scopes: string[] }>;
  live: Set<string>;
  chatters: Map<string, MockUser[]>;
  moderators: Map<string, MockUser[]>;
  chattersPageSize: number;
  /** Status code Get Chatters answers with instead of data (e.g. 403 when the bot is not a moderator). */
  chattersStatus: number | null;
  rewards: Map<string, { id: string; title: string; cost: number; prompt: string }[]>;
  requests: MockRequest[];
  /**
   * Statuses the next refresh_token grants answer with, one per request, before refreshes work
   * again (e.g. [503] for an outage: Twitch's 5xx body, not its 400 "Invalid refresh token").
   */
  refreshFailures: number[];
  /** What Twitch does when a user disconnects the app or changes password: every token of theirs dies. */
  revoke(userId: string): void;
  /** Broadcaster type per user id ('' means neither Affiliate nor Partner: no channel points). Default 'affiliate'. */
  broadcasterTypes: Map<string, '' | 'affiliate' | 'partner'>;
  /** Rewards made by hand or another app: not listed as manageable, but their titles are taken. */
  foreignRewards: Map<string, string[]>;
  /** Every channel-point redemption, as Twitch keeps them. */
  redemptions: MockRedemption[];
  /** Statuses the next redemption status updates answer with, one per request. */
  redemptionUpdateFailures: number[];
  /**
   * A viewer redeems a reward: the redemption is kept UNFULFILLED and, if an EventSub
   * WebSocket session holds a subscription for it, delivered there (never redelivered).
   */
  redeem(broadcasterId: string, rewardId: string, user: MockUser): MockRedemption;
  /** EventSub WebSocket sessions open now. */
  eventSubSessions(): number;
  /** EventSub WebSocket connections accepted so far (reconnects included). */
  eventSubConnections(): number;
  /** EventSub subscriptions enabled now, as `type broadcaster_id reward_id`. */
  eventSubSubscriptions(): string[];
  /** Closes every EventSub socket, as a Twitch edge restart would. */
  dropEventSub(): void;
  /**
   * Twitch's planned migration: `session_reconnect` with a `reconnect_url`; a client that
   * connects there keeps its subscriptions, then the old socket is closed.
   */
  reconnectEventSub(): void;
  /** Issues an access/refresh token pair for a user directly (as if a login had happened). */
  issue(userId: string, scopes: string[], expiresIn?: number): { accessToken: string; refreshToken: string };
  close(): Promise<void>;
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'ratelimit-limit': '800', 'ratelimit-remaining': '799', 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

const userData = (u: MockUser) => ({
  id: u.id,
  login: u.login,
  display_name: u.displayName,
  type: '',
  broadcaster_type: '',
  description: '',
  profile_image_url: '',
  offline_image_url: '',
  view_count: 0,
  created_at: '2020-01-01T00:00:00Z',
});

export async function startHelixMock(): Promise<HelixMock> {
  const mock = {
    port: 0,
    close: () => Promise.resolve(),
    users: new Map(),
    tokens: new Map(),
    codes: new Map(),
    authorizeAs: null,
    refreshTokens: new Map(),
    live: new Set(),
    chatters: new Map(),
    moderators: new Map(),
    chattersPageSize: 100,
    chattersStatus: null,
    rewards: new Map(),
    requests: [],
    refreshFailures: [],
    broadcasterTypes: new Map(),
    foreignRewards: new Map(),
    redemptions: [],
    redemptionUpdateFailures: [],
    redeem(broadcasterId, rewardId, user) {
      const redemption: MockRedemption = { id: randomUUID(), broadcasterId, rewardId, user, status: 'UNFULFILLED', redeemedAt: new Date().toISOString() };
      mock.redemptions.push(redemption);
      eventSub.deliverRedemption(redemptionData(redemption));
      return redemption;
    },
    eventSubSessions: () => eventSub.sessions(),
    eventSubConnections: () => eventSub.connections(),
    eventSubSubscriptions: () => eventSub.subscriptions(),
    dropEventSub: () => eventSub.drop(),
    reconnectEventSub: () => eventSub.reconnect(),
    revoke(userId) {
      for (const [token, grant] of mock.tokens) if (grant.userId === userId) mock.tokens.delete(token);
      for (const [token, grant] of mock.refreshTokens) if (grant.userId === userId) mock.refreshTokens.delete(token);
    },
    issue(userId, scopes, expiresIn = 14_400) {
      const accessToken = nextId('at');
      const refreshToken = nextId('rt');
      mock.tokens.set(accessToken, { userId, scopes, expiresIn });
      mock.refreshTokens.set(refreshToken, { userId, scopes });
      return { accessToken, refreshToken };
    },
  } as HelixMock;

  const redemptionData = (r: MockRedemption) => {
    const broadcaster = mock.users.get(r.broadcasterId);
    const reward = [...mock.rewards.values()].flat().find((rw) => rw.id === r.rewardId);
    return {
      broadcaster_id: r.broadcasterId, broadcaster_login: broadcaster?.login ?? '', broadcaster_name: broadcaster?.displayName ?? '',
      id: r.id, user_id: r.user.id, user_login: r.user.login, user_name: r.user.displayName, user_input: '', status: r.status,
      redeemed_at: r.redeemedAt, reward: { id: r.rewardId, title: reward?.title ?? '', prompt: reward?.prompt ?? '', cost: reward?.cost ?? 0 },
    };
  };
  const eventSub = createEventSubMock(() => mock.port);

  const tokenOf = (req: IncomingMessage) => req.headers.authorization?.replace(/^(Bearer|OAuth)\s+/, '');

  function tokenResponse(res: ServerResponse, grant: { userId: string; scopes: string[] }) {
    const { accessToken, refreshToken } = mock.issue(grant.userId, grant.scopes);
    send(res, 200, { access_token: accessToken, refresh_token: refreshToken, expires_in: 14_400, scope: grant.scopes, token_type: 'bearer' });
  }

  function page<T>(res: ServerResponse, items: T[], query: URLSearchParams, size: number, map: (item: T) => unknown) {
    const start = Number(query.get('after') ?? 0);
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? String(start + size) : undefined;
    send(res, 200, { data: slice.map(map), total: items.length, pagination: next ? { cursor: next } : {} });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = req.method === 'GET' ? undefined : await readBody(req);
    const q = url.searchParams;
    mock.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: q, authorization: req.headers.authorization, body });
    // twurple sends EventSub calls to the Twitch CLI's unprefixed paths.
    const route = `${req.method} ${url.pathname.replace(/^\/eventsub\//, '/mock/eventsub/')}`;

    if (route === 'GET /auth/authorize') {
      const redirect = q.get('redirect_uri');
      if (mock.authorizeAs === null || !redirect) return send(res, 400, { status: 400, message: 'no Twitch user logged in' });
      const code = nextId('code');
      mock.codes.set(code, { userId: mock.authorizeAs, scopes: (q.get('scope') ?? '').split(' ').filter(Boolean) });
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      res.end();
      return;
    }
    if (route === 'POST /auth/token') {
      const grant = q.get('grant_type');
      if (grant === 'client_credentials') return send(res, 200, { access_token: mock.issue('', []).accessToken, expires_in: 3600, token_type: 'bearer' });
      if (grant === 'authorization_code') {
        const found = mock.codes.get(q.get('code') ?? '');
        if (!found) return send(res, 400, { status: 400, message: 'Invalid authorization code' });
        mock.codes.delete(q.get('code') ?? '');
        return tokenResponse(res, found);
      }
      if (grant === 'refresh_token') {
        const failure = mock.refreshFailures.shift();
        if (failure !== undefined) return send(res, failure, { status: failure, message: 'Service Unavailable' });
        const found = mock.refreshTokens.get(q.get('refresh_token') ?? '');
        if (!found) return send(res, 400, { status: 400, message: 'Invalid refresh token' });
        mock.refreshTokens.delete(q.get('refresh_token') ?? '');
        return tokenResponse(res, found);
      }
      return send(res, 400, { status: 400, message: 'unsupported grant' });
    }
    if (route === 'GET /auth/validate') {
      const token = mock.tokens.get(tokenOf(req) ?? '');
      if (!token) return send(res, 401, { status: 401, message: 'invalid access token' });
      const user = token.userId ? mock.users.get(token.userId) : undefined;
      return send(res, 200, {
        client_id: 'cid',
        login: user?.login,
        user_id: token.userId || undefined,
        scopes: token.scopes,
        expires_in: token.expiresIn,
      });
    }

    // Helix: every call needs a known token.
    const token = mock.tokens.get(tokenOf(req) ?? '');
    if (!token) return send(res, 401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' });

    switch (route) {
      case 'GET /mock/users': {
        const ids = q.getAll('id');
        const logins = q.getAll('login');
        const found = [...mock.users.values()].filter((u) => ids.includes(u.id) || logins.includes(u.login));
        return send(res, 200, { data: found.map(userData) });
      }
      case 'GET /mock/streams': {
        const ids = q.getAll('user_id');
        const live = ids.filter((id) => mock.live.has(id)).map((id) => mock.users.get(id)!);
        return send(res, 200, {
          data: live.map((u) => ({
            id: `s${u.id}`, user_id: u.id, user_login: u.login, user_name: u.displayName, game_id: '', game_name: '',
            type: 'live', title: 'live', viewer_count: 1, started_at: '2024-01-01T00:00:00Z', language: 'en',
            thumbnail_url: '', tag_ids: [], tags: [], is_mature: false,
          })),
          pagination: {},
        });
      }
      case 'GET /mock/chat/chatters': {
        if (mock.chattersStatus) return send(res, mock.chattersStatus, { status: mock.chattersStatus, message: 'forbidden' });
        if (q.get('moderator_id') !== token.userId) return send(res, 403, { status: 403, message: 'moderator_id must match the token' });
        const list = mock.chatters.get(q.get('broadcaster_id') ?? '') ?? [];
        return page(res, list, q, mock.chattersPageSize, (u) => ({ user_id: u.id, user_login: u.login, user_name: u.displayName }));
      }
      case 'GET /mock/moderation/moderators': {
        if (q.get('broadcaster_id') !== token.userId) return send(res, 403, { status: 403, message: 'broadcaster token required' });
        const list = mock.moderators.get(q.get('broadcaster_id') ?? '') ?? [];
        return page(res, list, q, 100, (u) => ({ user_id: u.id, user_login: u.login, user_name: u.displayName }));
      }
      case 'GET /mock/channel_points/custom_rewards':
        return send(res, 200, { data: (mock.rewards.get(q.get('broadcaster_id') ?? '') ?? []).map(rewardData(q.get('broadcaster_id') ?? '')) });
      case 'POST /mock/channel_points/custom_rewards': {
        const b = q.get('broadcaster_id') ?? '';
        const input = body as { title: string; cost: number; prompt?: string };
        if ((mock.broadcasterTypes.get(b) ?? 'affiliate') === '') {
          return send(res, 403, { error: 'Forbidden', status: 403, message: 'The broadcaster must have partner or affiliate status.' });
        }
        const titles = [...(mock.rewards.get(b) ?? []).map((r) => r.title), ...(mock.foreignRewards.get(b) ?? [])];
        if (titles.some((t) => t.toLowerCase() === input.title.toLowerCase())) {
          return send(res, 400, { error: 'Bad Request', status: 400, message: 'CREATE_CUSTOM_REWARD_DUPLICATE_REWARD' });
        }
        const reward = { id: nextId('rw'), title: input.title, cost: input.cost, prompt: input.prompt ?? '' };
        mock.rewards.set(b, [...(mock.rewards.get(b) ?? []), reward]);
        return send(res, 200, { data: [rewardData(b)(reward)] });
      }
      case 'GET /mock/channel_points/custom_rewards/redemptions': {
        if (q.get('broadcaster_id') !== token.userId) return send(res, 403, { status: 403, message: 'broadcaster token required' });
        const list = mock.redemptions.filter(
          (r) => r.broadcasterId === q.get('broadcaster_id') && r.rewardId === q.get('reward_id') && (!q.get('status') || r.status === q.get('status')),
        );
        return page(res, list, q, Math.min(50, Number(q.get('first') ?? 20)), redemptionData);
      }
      case 'PATCH /mock/channel_points/custom_rewards/redemptions': {
        const failure = mock.redemptionUpdateFailures.shift();
        if (failure !== undefined) return send(res, failure, { status: failure, message: 'Service Unavailable' });
        // Twitch updates only UNFULFILLED redemptions; none matching is a 404.
        const matching = mock.redemptions.filter(
          (r) => q.getAll('id').includes(r.id) && r.broadcasterId === q.get('broadcaster_id') && r.rewardId === q.get('reward_id') && r.status === 'UNFULFILLED',
        );
        if (matching.length === 0) return send(res, 404, { error: 'Not Found', status: 404, message: 'No redemptions were found for the given request' });
        for (const r of matching) r.status = (body as { status: MockRedemption['status'] }).status;
        return send(res, 200, { data: matching.map(redemptionData) });
      }
      case 'POST /mock/eventsub/subscriptions':
      case 'GET /mock/eventsub/subscriptions':
      case 'DELETE /mock/eventsub/subscriptions': {
        const answer = eventSub.handle(route, q, body);
        if (answer.status === 204) {
          res.writeHead(204).end();
          return;
        }
        return send(res, answer.status, answer.body);
      }
      default:
        return send(res, 404, { status: 404, message: `mock has no ${route}` });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  // Dual-stack: twurple calls http://localhost:<port>, which may resolve to ::1 or 127.0.0.1.
  eventSub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  mock.port = (server.address() as AddressInfo).port;
  mock.close = () =>
    new Promise<void>((resolve) => {
      eventSub.close();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return mock;
}

const rewardData = (broadcasterId: string) => (r: { id: string; title: string; cost: number; prompt: string }) => ({
  broadcaster_id: broadcasterId, broadcaster_login: '', broadcaster_name: '', id: r.id, title: r.title, prompt: r.prompt, cost: r.cost,
  image: null, default_image: { url_1x: '', url_2x: '', url_4x: '' }, background_color: '#000000', is_enabled: true,
  is_user_input_required: false, max_per_stream_setting: { is_enabled: false, max_per_stream: 0 },
  max_per_user_per_stream_setting: { is_enabled: false, max_per_user_per_stream: 0 },
  global_cooldown_setting: { is_enabled: false, global_cooldown_seconds: 0 }, is_paused: false, is_in_stock: true,
  should_redemptions_skip_request_queue: false, redemptions_redeemed_current_stream: null, cooldown_expires_at: null,
});
