/**
 * The EventSub WebSocket side of the Helix mock, as Twitch runs it: a `session_welcome` on
 * connect, subscriptions bound to a session (and gone when it closes), each event delivered once
 * to the session holding the subscription and never again, and `session_reconnect` moving the
 * subscriptions to the session opened at the `reconnect_url`. twurple connects to `/ws` and
 * manages subscriptions at the unprefixed `/eventsub/subscriptions` when TWURPLE_MOCK_API_PORT is set.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const REDEMPTION_ADD = 'channel.channel_points_custom_reward_redemption.add';

interface Subscription {
  id: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  sessionId: string;
  createdAt: string;
}

/** A Helix redemption object (`Get Custom Reward Redemption` shape). */
export interface RedemptionData {
  broadcaster_id: string;
  broadcaster_login: string;
  broadcaster_name: string;
  id: string;
  user_id: string;
  user_login: string;
  user_name: string;
  reward: { id: string; title: string; prompt: string; cost: number };
  redeemed_at: string;
}

export function createEventSubMock(port: () => number) {
  const sockets = new Map<string, WebSocket>();
  const subscriptions = new Map<string, Subscription>();
  let connectionsMade = 0;
  let wss: WebSocketServer | null = null;

  const subscriptionData = (sub: Subscription) => ({
    id: sub.id, status: 'enabled', type: sub.type, version: sub.version, condition: sub.condition, created_at: sub.createdAt,
    transport: { method: 'websocket', session_id: sub.sessionId, connected_at: sub.createdAt }, cost: 0,
  });
  const message = (type: string, payload: unknown, extra: Record<string, string> = {}) =>
    JSON.stringify({ metadata: { message_id: randomUUID(), message_type: type, message_timestamp: new Date().toISOString(), ...extra }, payload });
  const live = () => [...subscriptions.values()].filter((sub) => sockets.has(sub.sessionId));

  return {
    attach(server: Server): void {
      wss = new WebSocketServer({ server, path: '/ws' });
      wss.on('connection', (socket, request) => {
        const sessionId = randomUUID();
        connectionsMade += 1;
        sockets.set(sessionId, socket);
        socket.on('close', () => {
          if (sockets.get(sessionId) === socket) sockets.delete(sessionId);
          // Twitch disables a session's subscriptions when it closes.
          for (const [id, sub] of subscriptions) if (sub.sessionId === sessionId) subscriptions.delete(id);
        });
        socket.send(message('session_welcome', {
          session: { id: sessionId, status: 'connected', connected_at: new Date().toISOString(), keepalive_timeout_seconds: 600, reconnect_url: null },
        }));
        // A reconnect_url connection inherits the old session's subscriptions; then the old one closes.
        const moving = new URL(request.url ?? '/', 'http://localhost').searchParams.get('moving');
        const old = moving ? sockets.get(moving) : undefined;
        if (moving && old) {
          for (const sub of subscriptions.values()) if (sub.sessionId === moving) sub.sessionId = sessionId;
          sockets.delete(moving);
          old.close(4004, 'reconnected');
        }
      });
    },

    /** Helix `/eventsub/subscriptions` (create, list, delete). */
    handle(route: string, q: URLSearchParams, body: unknown): { status: number; body?: unknown } {
      if (route === 'POST /mock/eventsub/subscriptions') {
        const input = body as { type: string; version: string; condition: Record<string, string>; transport: { method: string; session_id?: string } };
        if (input.transport.method !== 'websocket' || !input.transport.session_id || !sockets.has(input.transport.session_id)) {
          return { status: 400, body: { error: 'Bad Request', status: 400, message: 'websocket transport session does not exist or has already disconnected' } };
        }
        const sub: Subscription = { id: randomUUID(), type: input.type, version: input.version, condition: input.condition, sessionId: input.transport.session_id, createdAt: new Date().toISOString() };
        subscriptions.set(sub.id, sub);
        return { status: 202, body: { data: [subscriptionData(sub)], total: subscriptions.size, total_cost: 0, max_total_cost: 10 } };
      }
      if (route === 'GET /mock/eventsub/subscriptions') {
        return { status: 200, body: { data: live().map(subscriptionData), total: subscriptions.size, total_cost: 0, max_total_cost: 10, pagination: {} } };
      }
      subscriptions.delete(q.get('id') ?? '');
      return { status: 204 };
    },

    /** Sends a redemption to every session subscribed to it, once. */
    deliverRedemption(data: RedemptionData): void {
      for (const sub of subscriptions.values()) {
        if (sub.type !== REDEMPTION_ADD || sub.condition.broadcaster_user_id !== data.broadcaster_id) continue;
        if (sub.condition.reward_id && sub.condition.reward_id !== data.reward.id) continue;
        const socket = sockets.get(sub.sessionId);
        if (!socket) continue;
        socket.send(message('notification', {
          subscription: subscriptionData(sub),
          event: {
            id: data.id, broadcaster_user_id: data.broadcaster_id, broadcaster_user_login: data.broadcaster_login, broadcaster_user_name: data.broadcaster_name,
            user_id: data.user_id, user_login: data.user_login, user_name: data.user_name, user_input: '', status: 'unfulfilled', reward: data.reward, redeemed_at: data.redeemed_at,
          },
        }, { subscription_type: sub.type, subscription_version: sub.version }));
      }
    },

    sessions: () => sockets.size,
    connections: () => connectionsMade,
    subscriptions: () => live().map((sub) => `${sub.type} ${sub.condition.broadcaster_user_id} ${sub.condition.reward_id ?? ''}`.trim()),

    drop(): void {
      for (const socket of sockets.values()) socket.terminate();
      sockets.clear();
    },

    reconnect(): void {
      for (const [sessionId, socket] of sockets) {
        socket.send(message('session_reconnect', {
          session: { id: sessionId, status: 'reconnecting', keepalive_timeout_seconds: null, reconnect_url: `ws://127.0.0.1:${port()}/ws?moving=${sessionId}`, connected_at: new Date().toISOString() },
        }));
      }
    },

    close(): void {
      for (const socket of sockets.values()) socket.terminate();
      wss?.close();
    },
  };
}
