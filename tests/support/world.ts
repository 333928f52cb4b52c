/**
 * A fresh, migrated database with the services on it and one channel where missions open at once
 * (no approval, no cooldown, generous limits, 1,000 starting points, minimum stake 10). Used by
 * service-level integration tests and by the benchmarks.
 */
import pino from 'pino';
import type { Actor, ChatUser } from '../../server/domain/actor.js';
import { createMemoryEventBus } from '../../server/events/memory-bus.js';
import type { EventBus } from '../../server/events/types.js';
import type { MissionScheduler } from '../../server/ports/scheduler.js';
import type { Channel } from '../../server/services/channels.js';
import { createServices, type Services } from '../../server/services/index.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const silentLogger = pino({ level: 'silent' });
/** Timers and settlement jobs go nowhere: the caller settles and expires missions itself. */
export const noScheduler: MissionScheduler = { schedule: async () => {}, cancelAll: async () => {}, enqueueSettlement: async () => {} };

export interface ServiceWorld {
  database: TestDatabase;
  services: Services;
  channel: Channel;
  /** The broadcaster, and acting as them in chat. */
  host: ChatUser;
  hostActor: Actor;
  /** Commits what the pledge batcher holds, then drops the database. */
  close(): Promise<void>;
}

export async function createServiceWorld(label: string, login: string, options: { bus?: EventBus } = {}): Promise<ServiceWorld> {
  const database = await createTestDatabase(label);
  const bus = options.bus ?? createMemoryEventBus();
  const services = createServices({ db: database.db, bus, scheduler: noScheduler, logger: silentLogger, now: () => new Date() });
  await services.channels.create({ login });
  const channel = await services.channels.updateSettings(login, {
    requireApproval: false,
    startingBalance: 1000,
    minStake: 10,
    maxOpenMissions: 50,
    maxOpenMissionsPerViewer: 50,
    createCooldown: 0,
  });
  const host: ChatUser = { userId: `host-${login}`, login, displayName: login };
  const hostActor: Actor = { kind: 'chat', channel: login, user: host, role: 'broadcaster' };
  return {
    database,
    services,
    channel,
    host,
    hostActor,
    async close() {
      await services.missions.closePledges();
      await database.drop();
    },
  };
}
