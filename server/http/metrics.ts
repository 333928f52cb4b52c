/**
 * Prometheus metrics. Each app (or process) owns its own `Registry`: the global default
 * registry would make several apps in one test process collide on metric names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppMetrics } from '../ports/metrics.js';

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
    ledgerViolations: new Gauge({
      name: 'mission_link_ledger_violations',
      help: 'Ledger invariant violations found by the last scheduled audit (0 when consistent)',
      registers,
    }),
    ledgerAuditLastRun: new Gauge({
      name: 'mission_link_ledger_audit_last_run_timestamp_seconds',
      help: 'When the scheduled ledger audit last finished, Unix time',
      registers,
    }),
    backupLastSuccess: new Gauge({
      name: 'mission_link_backup_last_success_timestamp_seconds',
      help: 'When the last scheduled backup was written, Unix time',
      registers,
    }),
    chatChannelReady: new Gauge({
      name: 'mission_link_chat_channel_ready',
      help: 'Whether the bot can send to the channel (joined on an open chat connection)',
      labelNames: ['channel'],
      registers,
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
