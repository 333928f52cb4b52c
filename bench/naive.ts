/**
 * Scenario (c): the naive design, one transaction per pledge that also updates the escrow hot row
 * and re-reads the mission totals (`pledgeDirect` in naive-pledge.ts, the old per-pledge path), against the
 * micro-batcher at the service level, same machine, same duration.
 */
import { createMemoryEventBus } from '../server/events/memory-bus.js';
import { pledgeDirect } from './naive-pledge.js';
import { audit, createWorld, openMission, percentile, viewer } from './support.js';

export interface ServiceRate {
  perSecond: number;
  p99Ms: number;
  audit: string;
}

async function drive(
  label: string,
  durationMs: number,
  concurrency: number,
  direct: boolean,
): Promise<ServiceRate> {
  const world = await createWorld(label);
  const { number } = await openMission(world, `${label} target`);
  const bus = createMemoryEventBus();
  const latencies: number[] = [];
  let done = 0;
  let next = 0;
  const end = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const i = next++;
      const u = viewer(i % 50_000);
      const started = performance.now();
      const input = { number, amount: 10, user: u };
      const actor = { kind: 'chat' as const, channel: world.channel.login, user: u, role: 'viewer' as const };
      try {
        if (direct) await pledgeDirect(world, bus, input, actor);
        else await world.services.missions.pledge(world.channel, input, actor);
        done++;
        latencies.push(performance.now() - started);
      } catch {
        // Counted by omission: only committed pledges make the rate. A refused caller backs off
        // like a client honouring Retry-After instead of spinning on the event loop.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await world.services.missions.closePledges();
  const result = { perSecond: done / seconds, p99Ms: percentile(latencies.sort((a, b) => a - b), 99), audit: await audit(world) };
  await world.close();
  return result;
}

/** One transaction per pledge, 16 concurrent callers (the pool is 20). */
export const measureNaive = (durationMs: number) => drive('bench_naive', durationMs, 16, true);
/** The micro-batcher with 2,000 concurrent callers (no chat in between). */
export const measureBatchedService = (durationMs: number) => drive('bench_batched', durationMs, 2_000, false);
