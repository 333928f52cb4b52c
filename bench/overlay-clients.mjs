/**
 * The storm bench's OBS overlays, in a worker thread (plain JavaScript: a worker does not get
 * the tsx loader): 2,000 websocket clients receiving 10 Hz
 * updates would otherwise share an event loop with the chat simulator, and a line the simulator
 * sends late looks like app latency. The last client (opened last, so about the last the server
 * writes to in each broadcast) records the probe mission's pot updates with wall-clock times
 * (`timeOrigin + now()`, comparable across threads).
 *
 * Messages in: { urls, probeMission } as workerData; 'stop' to finish. Out: { type: 'ready',
 * connected } once every client is open or failed, then { type: 'done', dropped, probePots }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

/** @type {{ urls: string[], probeMission: number }} */
const { urls, probeMission } = workerData;
/** @type {WebSocket[]} */
const clients = [];
/** @type {{ t: number, pot: number }[]} */
const probePots = [];
let dropped = 0;
let stopping = false;

await Promise.all(
  urls.map(
    (url, i) =>
      new Promise((resolve) => {
        const ws = new WebSocket(url);
        clients.push(ws);
        ws.once('open', () => resolve());
        ws.once('error', () => resolve());
        ws.on('close', () => {
          if (!stopping) dropped++;
        });
        if (i === urls.length - 1) {
          ws.on('message', (data) => {
            const msg = JSON.parse(String(data));
            if (msg.type !== 'pledge' || msg.missionNumber !== probeMission || msg.pot === undefined) return;
            probePots.push({ t: performance.timeOrigin + performance.now(), pot: msg.pot });
          });
        }
      }),
  ),
);
parentPort.postMessage({ type: 'ready', connected: clients.filter((c) => c.readyState === WebSocket.OPEN).length });
parentPort.on('message', (msg) => {
  if (msg !== 'stop') return;
  stopping = true;
  for (const c of clients) c.terminate();
  parentPort.postMessage({ type: 'done', dropped, probePots });
});
