/**
 * Prometheus metrics. Each app (or process) owns its own `Registry`: the global default
 * registry would make several apps in one test process collide on metric names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  /** Pledge attempts by outcome (`ok`, or a domain error code in lower case). */
  pledges: Counter<'result'>;
  /** Pledges the batcher refused at once (OVERLOADED), chat and REST, by reason (`backlog`, `behind`, `closing`). */
  pledgesRefused: Counter<'reason'>;
  /** Settled missions by outcome (`paid`, `refunded`). */
  settlements: Counter<'outcome'>;
  /** Wall time of one mission's settlement, all batches. */
  settlementDuration: Histogram<never>;
  /** Pledges per micro-batch transaction (chat and REST pledges alike). */
  pledgeBatchSize: Histogram<never>;
  /** Wall time of one pledge batch, queue wait excluded, by result (`ok`, `failed`). */
  pledgeBatchDuration: Histogram<'result'>;
  /** Delay between a job's scheduled time and its start, per queue. */
  jobLag: Histogram<'queue'>;
  /** Open overlay websockets; read at scrape time from the source set with `setWebsocketClientsSource`. */
  websocketClients: Gauge<never>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Registers the function the websocket hub uses to report its client count at scrape time. */
  setWebsocketClientsSource(source: () => number): void;
}

export interface MetricsOptions {
  /** Node process metrics (event loop lag, heap, GC). On by default. */
  defaultMetrics?: boolean;
}

/** Creates a fresh registry with every Mission Link metric registered on it. */
export function createMetrics(options: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  let websocketSource: (() => number) | undefined;
  const registers = [registry];
  const pledgesRefused = new Counter({
    name: 'mission_link_pledges_refused_total',
    help: 'Pledges refused at once (OVERLOADED), by reason: backlog (could not commit in time), behind (bot behind chat), closing',
    labelNames: ['reason'],
    registers,
  });
  // Every reason's series exists from the start, so a rate over it is 0 rather than missing.
  for (const reason of ['backlog', 'behind', 'closing']) pledgesRefused.inc({ reason }, 0);

  return {
    registry,
    pledges: new Counter({
      name: 'mission_link_pledges_total',
      help: 'Pledge attempts by result',
      labelNames: ['result'],
      registers,
    }),
    pledgesRefused,
    settlements: new Counter({
      name: 'mission_link_settlements_total',
      help: 'Settled missions by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    settlementDuration: new Histogram({
      name: 'mission_link_settlement_duration_seconds',
      help: 'Time to settle one mission, all batches',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    pledgeBatchSize: new Histogram({
      name: 'mission_link_pledge_batch_size',
      help: 'Pledges per batch transaction',
      buckets: [1, 10, 50, 100, 200, 300, 400, 500],
      registers,
    }),
    pledgeBatchDuration: new Histogram({
      name: 'mission_link_pledge_batch_duration_seconds',
      help: 'Time to commit one pledge batch and answer its callers, by result',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    jobLag: new Histogram({
      name: 'mission_link_job_lag_seconds',
      help: 'Delay between when a job was due and when it started',
      labelNames: ['queue'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    websocketClients: new Gauge({
      name: 'mission_link_websocket_clients',
      help: 'Open overlay websocket connections',
      registers,
      collect() {
        if (websocketSource) this.set(websocketSource());
      },
    }),
    httpRequests: new Counter({
      name: 'mission_link_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'mission_link_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    setWebsocketClientsSource(source) {
      websocketSource = source;
    },
  };
}
