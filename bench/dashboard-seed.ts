/** Puts missions on a dashboard world's board through the REST API, as the bot does for chat users. */
import type { DashboardWorld } from '../tests/support/dashboard-world.js';

async function post(world: DashboardWorld, channel: string, login: string, path: string, body: unknown, role: 'viewer' | 'moderator' = 'viewer') {
  const res = await fetch(`${world.base}/api/v1/channels/${channel}${path}`, {
    method: 'POST',
    headers: world.asChatUser(channel, login, role),
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`POST ${path} as ${login}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { number: number };
}

export async function propose(world: DashboardWorld, channel: string, login: string, text: string, amount: number, duration = '30m') {
  return (await post(world, channel, login, '/missions', { text, amount, duration })).number;
}

export async function approve(world: DashboardWorld, channel: string, n: number): Promise<void> {
  await post(world, channel, 'seedmod', `/missions/${n}/approve`, null, 'moderator');
}

export async function pledge(world: DashboardWorld, channel: string, login: string, n: number, amount: number): Promise<void> {
  await post(world, channel, login, `/missions/${n}/pledges`, { amount });
}

export async function verdict(world: DashboardWorld, channel: string, n: number, action: 'success' | 'fail'): Promise<void> {
  await post(world, channel, 'seedmod', `/missions/${n}/${action}`, null, 'moderator');
}

/** A board that shows every part: pending, open with backers, a mission in its last minute, verdicts. */
export async function seedShowcase(world: DashboardWorld, channel: string): Promise<void> {
  const done = await propose(world, channel, 'minsu', '보스전 노히트 클리어', 300);
  await approve(world, channel, done);
  for (const [who, amount] of [['jiwoo', 500], ['sora', 250]] as const) await pledge(world, channel, who, done, amount);
  await verdict(world, channel, done, 'success');
  const failed = await propose(world, channel, 'speedy', 'Any% under 2 hours', 200);
  await approve(world, channel, failed);
  await verdict(world, channel, failed, 'fail');

  const big = await propose(world, channel, 'alice', 'Beat the Moon Lord without dying', 400, '45m');
  await approve(world, channel, big);
  const backers = ['bob', 'carol', 'dave', 'erin', 'frank', 'gyuri', 'hyejin', 'ivan'];
  for (const [i, who] of backers.entries()) await pledge(world, channel, who, big, 150 + i * 90);
  const ko = await propose(world, channel, 'nari', '노데스 클리어 — 보스전까지 한 번도 죽지 않기', 500, '12m');
  await approve(world, channel, ko);
  for (const who of ['taeyang', 'yuna', 'dongmin']) await pledge(world, channel, who, ko, 700);
  const soon = await propose(world, channel, 'carol', 'Win the next ranked match', 100, '1m');
  await approve(world, channel, soon);
  await pledge(world, channel, 'mina', soon, 900);
  await propose(world, channel, 'grace', 'Play the next hour with a dance pad', 150);
  await propose(world, channel, 'ivan', 'Speak only in rhymes until the raid', 100);
}
