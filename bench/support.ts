/** Shared pieces of the benchmark: a fresh database with a ready channel, timing and audit helpers. */
import { sql } from 'drizzle-orm';
import type { ChatUser } from '../server/domain/actor.js';
import { auditChannel } from '../server/services/ledger-audit.js';
import { createServiceWorld, type ServiceWorld } from '../tests/support/world.js';

export type BenchWorld = ServiceWorld;

export const viewer = (i: number | string): ChatUser => ({ userId: `u${i}`, login: `v${i}`, displayName: `V${i}` });

/** A fresh, migrated database with channel `login` (missions open at once, generous limits). */
export const createWorld = (label: string, login = 'bench'): Promise<BenchWorld> => createServiceWorld(label, login);

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
