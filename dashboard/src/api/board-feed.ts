/**
 * The board's live feed: one websocket per open board, authenticated by the session cookie.
 * Every message carries a per-channel sequence number; after a drop the feed reconnects with
 * `since=<last seq>&stream=<id>` and the server replays what was missed after a `resume`
 * message (or sends a fresh snapshot when it no longer can). A gap
 * in the sequence triggers the same resume. Nothing here polls.
 */

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'denied' | 'signedOut';

export interface FeedMessage {
  type: string;
  seq?: number;
  [key: string]: unknown;
}

export interface BoardFeed {
  readonly lastSeq: number;
  close(): void;
}

export interface FeedOptions {
  channel: string;
  onMessage(message: FeedMessage): void;
  onState(state: FeedState): void;
  /** `public`: the public board's feed (`/ws/public/:channel`, no session needed). */
  feed?: 'board' | 'public';
  /** Test seam; defaults to the page's WebSocket. */
  socketFactory?: (url: string) => WebSocket;
}

const MAX_BACKOFF_MS = 5_000;

export function feedUrl(channel: string, resume: { since: number; stream: string } | null, location: Location = window.location, feed: 'board' | 'public' = 'board'): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = resume === null ? '' : `?since=${resume.since}&stream=${encodeURIComponent(resume.stream)}`;
  return `${scheme}//${location.host}/ws/${feed}/${encodeURIComponent(channel)}${query}`;
}

export function openBoardFeed(options: FeedOptions): BoardFeed {
  const factory = options.socketFactory ?? ((url: string) => new WebSocket(url));
  let lastSeq: number | null = null;
  // The server's stream id: a resume is only possible within the same stream.
  let stream: string | null = null;
  let socket: WebSocket | null = null;
  let closed = false;
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    if (closed) return;
    options.onState(lastSeq === null && attempts === 0 ? 'connecting' : 'reconnecting');
    const ws = factory(feedUrl(options.channel, lastSeq !== null && stream !== null ? { since: lastSeq, stream } : null, window.location, options.feed));
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      options.onState('live');
    };
    ws.onmessage = (event) => {
      let message: FeedMessage;
      try {
        message = JSON.parse(String(event.data)) as FeedMessage;
      } catch {
        return;
      }
      if (typeof message.stream === 'string') stream = message.stream;
      if (message.type === 'resume') {
        // Missed messages follow, from since + 1.
        options.onMessage(message);
        return;
      }
      if (typeof message.seq === 'number') {
        if (message.type === 'snapshot') {
          lastSeq = message.seq;
        } else if (lastSeq !== null && message.seq <= lastSeq) {
          return; // already applied (a replay overlapping what we had)
        } else if (lastSeq !== null && message.seq > lastSeq + 1) {
          ws.close(4000, 'gap'); // resume from the last seq we applied
          return;
        } else {
          lastSeq = message.seq;
        }
      }
      options.onMessage(message);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      if (event.code === 4401) {
        options.onState('signedOut');
        return;
      }
      if (event.code === 4403 || event.code === 4404 || event.code === 1008) {
        options.onState('denied');
        return;
      }
      attempts += 1;
      options.onState('reconnecting');
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempts - 1, 5)) * (0.75 + Math.random() * 0.5);
      timer = setTimeout(connect, attempts === 1 ? 0 : delay);
    };
  };
  connect();

  return {
    get lastSeq() {
      return lastSeq ?? 0;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000, 'bye');
    },
  };
}
