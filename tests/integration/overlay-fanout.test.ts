/**
 * Fan-out at scale against the real server: 1,000 overlay websockets on one channel, one verdict
 * through the API, and every socket receives exactly one `resolved` message for that mission.
 * The default rate limits stay on: 1,000 sockets from one IP is over the API's anonymous per-IP
 * budget (600 a minute), which overlays have their own, larger one of.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { asChatUser, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'fanout';
const CLIENTS = 1_000;
const BATCH = 100;

let h: Harness;
let base = '';
const sockets: WebSocket[] = [];

interface Client {
  socket: WebSocket;
  /** `resolved` messages seen, by mission number. */
  resolved: number[];
}

/** Opens one socket and resolves once its snapshot has arrived. */
function connect(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    sockets.push(socket);
    const client: Client = { socket, resolved: [] };
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; mission?: { number: number } };
      if (message.type === 'snapshot') resolve(client);
      else if (message.type === 'resolved' && message.mission) client.resolved.push(message.mission.number);
    });
    socket.on('error', reject);
    socket.on('close', (code) => reject(new Error(`closed before snapshot: ${code}`)));
  });
}

beforeAll(async () => {
  h = await startHarness({ label: 'overlay_fanout', backend: 'redis' });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0 });
  base = (await h.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
}, 30_000);

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await h?.close();
});

describe('overlay fan-out', () => {
  it('delivers one verdict to 1,000 connected overlays, exactly once each', async () => {
    const created = await call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/missions`,
      headers: asChatUser(h, CH, { login: 'alice' }), payload: { text: 'Win the tournament', amount: 300 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const n = created.body.number as number;
    const { overlayKey } = await h.runtime.services.channels.get(CH);
    const url = `${base}/ws/overlay/${CH}?key=${encodeURIComponent(overlayKey)}`;

    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i += BATCH) {
      clients.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, CLIENTS - i) }, () => connect(url)))));
    }
    expect(clients).toHaveLength(CLIENTS);

    const everyoneHeard = new Promise<void>((resolve) => {
      let pending = CLIENTS;
      for (const client of clients) {
        const onMessage = (data: WebSocket.RawData) => {
          const message = JSON.parse(String(data)) as { type: string; mission?: { number: number } };
          if (message.type === 'resolved' && message.mission?.number === n) {
            client.socket.off('message', onMessage);
            if (--pending === 0) resolve();
          }
        };
        client.socket.on('message', onMessage);
      }
    });
    const verdict = await call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/success`,
      headers: asChatUser(h, CH, { login: CH, role: 'broadcaster' }),
    });
    expect(verdict.status, JSON.stringify(verdict.body)).toBeLessThan(300);
    await everyoneHeard;

    const received = clients.filter((c) => c.resolved.filter((m) => m === n).length === 1).length;
    expect(received).toBe(CLIENTS);
    // No duplicates: each socket saw the verdict for this mission exactly once.
    expect(clients.every((c) => c.resolved.length === 1)).toBe(true);
    for (const client of clients) client.socket.close();
    await expectAuditOk(h, CH);
  }, 20_000);
});
