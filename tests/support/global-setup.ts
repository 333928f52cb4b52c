/**
 * Ensures the real Postgres and Redis the integration tests need are reachable before any test
 * runs, and that the dashboard bundle the browser tests load is built and current.
 */
import net from 'node:net';
import { ensureDashboardBuilt } from '../../dashboard/build.js';

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export default async function setup(): Promise<void> {
  const missing: string[] = [];
  if (!(await reachable(5432))) missing.push('Postgres on 127.0.0.1:5432');
  if (!(await reachable(6379))) missing.push('Redis on 127.0.0.1:6379');
  if (missing.length > 0) {
    throw new Error(`Integration tests need ${missing.join(' and ')} (.ci/run starts them)`);
  }
  await ensureDashboardBuilt();
}
