/** The websocket heartbeat shared by the overlay hub and the dashboard's board feed. */
import type { OverlaySocket } from './hub-types.js';

export interface HeartbeatClient {
  socket: Pick<OverlaySocket, 'close' | 'terminate' | 'ping'>;
  /** Set by the client's pong (or any valid frame); cleared by each round. */
  alive: boolean;
}

/**
 * One round: a client that has not answered since the last round is dropped and cut off (a
 * silent socket cannot hold its buffers or a slot); every other one is pinged.
 */
export function heartbeatRound<C extends HeartbeatClient>(clients: Iterable<C>, drop: (client: C) => void): void {
  for (const client of clients) {
    if (!client.alive) {
      drop(client);
      if (client.socket.terminate) client.socket.terminate();
      else client.socket.close(1001, 'heartbeat timeout');
      continue;
    }
    client.alive = false;
    try {
      client.socket.ping?.();
    } catch {
      // A socket that cannot ping closes itself; its close handler cleans up.
    }
  }
}
