/**
 * The alert rules in infra/monitoring/ against the app: every rule has a promtool test case, every
 * metric a rule or the dashboard reads is one the app exports, and (where promtool is installed, as
 * in CI) the rules check and their tests pass.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/http/metrics.js';
import { registerOpsGauges } from '../../server/monitoring/ops-gauges.js';
import type { Database } from '../../db/client.js';

const DIR = 'infra/monitoring';
const rules = fs.readFileSync(`${DIR}/alerts.yml`, 'utf8');
const tests = fs.readFileSync(`${DIR}/alerts.test.yml`, 'utf8');
const dashboard = fs.readFileSync(`${DIR}/grafana/dashboards/mission-link.json`, 'utf8');

function exportedNames(): Set<string> {
  const metrics = createMetrics({ defaultMetrics: false });
  registerOpsGauges(metrics.registry, { db: {} as Database, readiness: [] });
  const names = new Set<string>();
  for (const m of metrics.registry.getMetricsAsArray()) {
    names.add(m.name);
    // Histograms and counters are queried through their series names.
    for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${m.name}${suffix}`);
  }
  return names;
}

const promtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('monitoring rules', () => {
  it('every alert has a promtool test case, and every test names a real alert', () => {
    const alerts = new Set([...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]));
    const tested = new Set([...tests.matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(alerts.size).toBeGreaterThanOrEqual(10);
    expect([...alerts].filter((a) => !tested.has(a))).toEqual([]);
    expect([...tested].filter((a) => !alerts.has(a))).toEqual([]);
  });

  it('rules and dashboard read only metrics the app exports', () => {
    const names = exportedNames();
    const used = new Set([...`${rules}\n${dashboard}`.matchAll(/mission_link_[a-z_]+/g)].map((m) => m[0]));
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
  });

  it.skipIf(!promtool)('promtool check rules and promtool test rules pass', () => {
    execFileSync('promtool', ['check', 'rules', `${DIR}/alerts.yml`], { stdio: 'pipe' });
    const out = execFileSync('promtool', ['test', 'rules', `${DIR}/alerts.test.yml`], { stdio: 'pipe' }).toString();
    expect(out).toContain('SUCCESS');
  });
});
