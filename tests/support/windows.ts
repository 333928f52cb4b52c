/** Most timestamps in any half-open span [t, t + windowMs): what a sliding-window rate limit sees. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[start] as number) + windowMs <= (sorted[end] as number)) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
