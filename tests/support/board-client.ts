/** A real websocket client of the dashboard's board feed, collecting every frame it receives. */
import WebSocket from 'ws';

export interface BoardMessage {
  type: string;
  seq?: number;
  stream?: string;
  [key: string]: unknown;
}

export interface BoardClient {
  ws: WebSocket;
  messages: BoardMessage[];
  /** Resolves with the first message (already received or next) matching `match`. */
  next(match: (m: BoardMessage) => boolean, timeoutMs?: number): Promise<BoardMessage>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export function connectBoard(url: string, headers: Record<string, string>): BoardClient {
  const ws = new WebSocket(url, { headers });
  const messages: BoardMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as BoardMessage);
    for (const wake of [...waiters]) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of [...waiters]) wake();
    });
  });
  ws.on('error', () => undefined);
  return {
    ws,
    messages,
    closed,
    next(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          } else if (ws.readyState === WebSocket.CLOSED) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`socket closed before a matching message; got ${JSON.stringify(messages.map((m) => m.type))}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message in time; got ${JSON.stringify(messages.map((m) => [m.type, m.seq]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
}
