/**
 * The overlay's websocket: reconnects by itself with exponential backoff and full jitter, checks
 * the per-channel seq and asks for a fresh snapshot when it sees a gap, and pings so half-open
 * connections (laptop sleep, NAT timeouts) are noticed.
 */

const CLOSE_INVALID_KEY = 4401;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
/** A rotated key never becomes valid again, but a restored database might: retry, slowly. */
const INVALID_KEY_RETRY_MS = 60_000;
const PING_EVERY_MS = 20_000;
const SILENCE_LIMIT_MS = 50_000;

/**
 * @param {{
 *   url: string,
 *   onMessage: (message: any) => void,
 *   onUnauthorized: () => void,
 *   onStatus?: (status: 'connecting' | 'live' | 'offline') => void,
 * }} options
 */
export function connectOverlay({ url, onMessage, onUnauthorized, onStatus = () => {} }) {
  let socket = null;
  let attempt = 0;
  let lastSeq = null;
  let resyncing = false;
  let lastHeard = 0;
  let retryTimer = null;
  let pingTimer = null;

  const send = (message) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  const scheduleRetry = (delay) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, delay);
  };

  const backoff = () => {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
    attempt += 1;
    // Full jitter: a restarted server is not hit by every overlay in the same millisecond.
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  };

  const handle = (message) => {
    if (message === null || typeof message !== 'object' || typeof message.type !== 'string') return;
    if (message.type === 'snapshot') {
      attempt = 0;
      resyncing = false;
      lastSeq = message.seq;
      onStatus('live');
      onMessage(message);
      return;
    }
    if (message.type === 'pong') {
      onMessage(message);
      return;
    }
    if (lastSeq === null || typeof message.seq !== 'number') return;
    if (message.seq !== lastSeq + 1 && !resyncing) {
      resyncing = true;
      send({ type: 'resync' });
    }
    lastSeq = message.seq;
    // Payloads carry absolute totals, so applying one across a gap is still right.
    onMessage(message);
  };

  function open() {
    onStatus('connecting');
    lastSeq = null;
    resyncing = false;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      scheduleRetry(backoff());
      return;
    }
    socket = ws;
    lastHeard = Date.now();
    ws.addEventListener('message', (event) => {
      lastHeard = Date.now();
      if (typeof event.data !== 'string') return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      handle(message);
    });
    ws.addEventListener('open', () => {
      clearInterval(pingTimer);
      pingTimer = setInterval(() => {
        if (Date.now() - lastHeard > SILENCE_LIMIT_MS) ws.close(4000, 'silent');
        else send({ type: 'ping' });
      }, PING_EVERY_MS);
    });
    ws.addEventListener('close', (event) => {
      if (socket !== ws) return;
      clearInterval(pingTimer);
      socket = null;
      onStatus('offline');
      if (event.code === CLOSE_INVALID_KEY) {
        onUnauthorized();
        scheduleRetry(INVALID_KEY_RETRY_MS);
      } else {
        scheduleRetry(backoff());
      }
    });
  }

  open();
  return {
    close() {
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      const ws = socket;
      socket = null;
      ws?.close(1000, 'page closed');
    },
  };
}
