import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import type { EventBus } from '../events/types.js';
import type { MissionScheduler } from '../ports/scheduler.js';

/** What every domain service is built from. `now` is injectable so rules are testable. */
export interface ServiceDeps {
  db: Database;
  bus: EventBus;
  scheduler: MissionScheduler;
  logger: Logger;
  now: () => Date;
}

/** Publishes after commit; a bus failure is logged, never turned into a failed write. */
export function publishSafely(deps: Pick<ServiceDeps, 'bus' | 'logger'>, events: Parameters<EventBus['publish']>[0][]): void {
  for (const event of events) {
    deps.bus.publish(event).catch((err: unknown) => deps.logger.warn({ err, type: event.type }, 'event publish failed'));
  }
}
