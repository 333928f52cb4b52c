/**
 * The metrics every layer records into: the runtime creates them (`createMetrics` in the HTTP
 * layer, which also serves them), services, jobs and the bot only write to them, so the shape
 * sits below all of them.
 */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  /** Pledge attempts by outcome (`ok`, or a domain error code in lower case). */
  pledges: Counter<'result'>;
  /**
   * Pledges refused at once (OVERLOADED), by reason: `backlog` and `closing` by the batcher (chat
   * and REST), `behind` by the bot (the line reached it too far behind chat).
   */
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
  /** Ledger invariant violations found by the last scheduled audit, all channels. */
  ledgerViolations: Gauge<never>;
  /** When the scheduled ledger audit last finished (Unix seconds): an alert when it stops running. */
  ledgerAuditLastRun: Gauge<never>;
  /** When the last scheduled backup was written (Unix seconds); absent while backups are off. */
  backupLastSuccess: Gauge<never>;
  /** 1 while the bot can send to the channel (joined on an open connection), 0 while it cannot. */
  chatChannelReady: Gauge<'channel'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Registers the function the websocket hub uses to report its client count at scrape time. */
  setWebsocketClientsSource(source: () => number): void;
}
