/** Shared pieces of the benchmark: a fresh database with a ready channel, timing and audit helpers. */
import { sql } from 'drizzle-orm';
import pino from 'pino';
import type { Actor, ChatUser } from '../server/domain/actor.js';
import { createMemoryEventBus } from '../server/events/memory-bus.js';
import type { MissionScheduler } from '../server/jobs/scheduler.js';
import type { Channel } from '../server/services/channels.js';
import { createServices, type Services } from '../server/services/index.js';
import { auditChannel } from '../server/services/ledger-audit.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/database.js';

export const logger = pino({ level: 'silent' });
const noScheduler: MissionScheduler = { schedule: async () => {}, cancelAll: async () => {}, enqueueSettlement: async () => {} };

export interface BenchWorld {
  database: TestDatabase;
  services: Services;
  channel: Channel;
  host: ChatUser;
  hostActor: Actor;
  close(): Promise<void>;
}

export const viewer = (i: number | string): ChatUser => ({ userId: `u${i}`, login: `v${i}`, displayName: `V${i}` });

/** A fresh, migrated database with channel `login` (missions open at once, generous limits). */
export async function createWorld(label: string, login = 'bench'): Promise<BenchWorld> {
  const database = await createTestDatabase(label);
  const services = createServices({ db: database.db, bus: createMemoryEventBus(), scheduler: noScheduler, logger, now: () => new Date() });
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

export async function openMission(world: BenchWorld, text: string): Promise<{ number: number; id: number }> {
  const { mission } = await world.services.missions.propose(world.channel, { text, amount: 10, durationSeconds: 3600, proposer: world.host }, world.hostActor);
  const row = await world.database.db.execute(
    sql`SELECT id FROM missions WHERE channel_id = ${world.channel.id} AND number = ${mission.number}`,
  );
  return { number: mission.number, id: Number((row.rows[0] as { id: number }).id) };
}

export async function audit(world: Pick<BenchWorld, 'database' | 'channel'>): Promise<string> {
  const report = await auditChannel(world.database.db, world.channel.id);
  return report.ok ? 'ok' : `${report.violations.length} violations`;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
