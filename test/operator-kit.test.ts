import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { metricNames } from '@dda/metrics';
import type { Queues } from '@dda/queues';
import { repoRoot } from '@dda/testkit';
import { buildMetricsRegistry } from '../services/ingress/src/metrics/prometheus-registry.ts';

/*
 * The operator's kit in deploy/: the alert rules must load in Prometheus and fire on the series they are
 * about (promtool, from Debian's prometheus package; bootstrap installs it for npm test), and the Grafana
 * dashboard must show every metric /metrics exposes, so a metric added to the catalog without a panel fails.
 */
const promDir = join(repoRoot, 'deploy', 'prometheus');
const promtool = (...args: string[]) =>
  execFileSync('promtool', args, { cwd: promDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

type Panel = { type: string; title?: string; panels?: Panel[]; targets?: { expr: string }[]; datasource?: { uid?: string } };
const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy', 'grafana', 'deal-desk.json'), 'utf8')) as {
  uid: string;
  title: string;
  panels: Panel[];
};
const allPanels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const exprs = allPanels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
/** Metric names a PromQL expression reads (histogram series folded to their family name). */
const namesIn = (expr: string) => [...expr.matchAll(/\b(dda_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));

// What /metrics really registers: the catalog's Redis-backed series, the ingress's gauges and its runtime
// metrics. Building the registry reads nothing from Redis; only a scrape would.
const registry = buildMetricsRegistry({ redis: {} as Redis, queues: { byName: {} } as unknown as Queues, prefix: 'kit' });
const exposed = registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name);

describe('deploy/prometheus/alerts.yml', () => {
  it('passes promtool check rules', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: 7 rules found/);
  });

  it('fires each alert on the series it is about and stays quiet otherwise (promtool test rules)', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it("covers what issue 17 asks for, reading only metrics /metrics exposes (or Prometheus's own `up`)", () => {
    const rules = readFileSync(join(promDir, 'alerts.yml'), 'utf8');
    for (const alert of [
      'DealDeskDeadAirHigh',
      'DealDeskTimeToDialHigh',
      'DealDeskCrmInboxBacklog',
      'DealDeskAlertsFailed',
      'DealDeskMergeThrottled',
      'DealDeskQueueWithoutWorker',
      'DealDeskRedisOrIngressUnreachable',
    ]) {
      expect(rules).toContain(`alert: ${alert}`);
    }
    const exprLines = rules
      .split('\n')
      .filter((l) => !l.trim().startsWith('#') && !/^\s*(summary|description):/.test(l))
      .join('\n');
    for (const name of namesIn(exprLines)) expect(exposed, name).toContain(name);
  });

  it('is a valid Prometheus configuration with the scrape job the rules name', () => {
    expect(promtool('check', 'config', '--syntax-only', 'prometheus.yml')).toMatch(/SUCCESS/);
    expect(readFileSync(join(promDir, 'prometheus.yml'), 'utf8')).toMatch(/job_name: deal-desk-ingress/);
  });
});

describe('deploy/grafana/deal-desk.json', () => {
  it('has a panel for every metric in the catalog and every gauge the ingress adds', () => {
    expect(metricNames.length).toBeGreaterThan(10);
    const shown = new Set(exprs.flatMap(namesIn));
    const own = exposed.filter((n) => !n.startsWith('dda_ingress_'));
    for (const name of [...metricNames, ...own]) expect(shown.has(name), `no panel reads ${name}`).toBe(true);
    // The runtime metrics are many; memory, CPU and event-loop lag are the ones an operator looks at.
    expect(exprs.some((e) => e.includes('dda_ingress_process_resident_memory_bytes'))).toBe(true);
  });

  it('reads no metric that /metrics does not expose (a renamed metric breaks its panel)', () => {
    for (const name of exprs.flatMap(namesIn)) expect(exposed, name).toContain(name);
  });

  it('is importable: a uid, titled panels, each on the datasource variable', () => {
    expect(dashboard.uid).toBe('deal-desk-alerts');
    for (const p of allPanels) {
      expect(p.title, JSON.stringify(p).slice(0, 80)).toBeTruthy();
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax, not a template literal
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });
});
