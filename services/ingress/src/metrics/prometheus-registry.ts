import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { inboxLength, type Queues } from '@dda/queues';
import type { RedisClient } from '@dda/redis';
import { redisBackedMetrics } from './redis-backed-metrics.ts';
import { signInRefusedKey } from '../sessions/sign-in-throttle.ts';

const STATES = ['waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed', 'completed'] as const;
type Counts = (readonly [string, Record<string, number>])[];

/**
 * What /metrics renders: the cluster-wide series the workers and the store keep in Redis, queue depths asked
 * of BullMQ at scrape time, and this ingress process's own runtime metrics (prefixed dda_ingress_).
 */
export function buildMetricsRegistry(deps: { redis: RedisClient; queues: Queues; prefix: string }): Registry {
  const registry = new Registry();
  for (const m of redisBackedMetrics(deps.redis, deps.prefix)) registry.registerMetric(m as unknown as Metric);

  // prom-client collects every metric at once; both queue gauges share one getJobCounts per queue per scrape.
  let shared: { at: number; counts: Promise<Counts> } | null = null;
  const queueCounts = (): Promise<Counts> => {
    if (!shared || Date.now() - shared.at > 500) {
      shared = {
        at: Date.now(),
        counts: Promise.all(Object.values(deps.queues.byName).map(async (q) => [q.name, await q.getJobCounts(...STATES)] as const)),
      };
    }
    return shared.counts;
  };

  registry.registerMetric(
    new Gauge({
      name: 'dda_queue_depth',
      help: 'Jobs ready to run but not yet taken by a worker (waiting + prioritized), per queue',
      labelNames: ['queue'],
      registers: [],
      async collect() {
        const counts = await queueCounts();
        this.reset();
        for (const [queue, c] of counts) this.set({ queue }, (c['waiting'] ?? 0) + (c['prioritized'] ?? 0));
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'dda_queue_jobs',
      help: 'Jobs in each queue by state (completed and failed count the retained ones)',
      labelNames: ['queue', 'state'],
      registers: [],
      async collect() {
        const counts = await queueCounts();
        this.reset();
        for (const [queue, c] of counts) for (const state of STATES) this.set({ queue, state }, c[state] ?? 0);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'dda_crm_inbox_backlog',
      help: 'CRM changes accepted (202) and not yet handed to triage: the inbox the relay drains as crm-events makes room',
      registers: [],
      async collect() {
        this.set(await inboxLength(deps.redis, deps.prefix));
      },
    }),
  );
  registry.registerMetric(
    new Counter({
      name: 'dda_sign_in_refused_total',
      help: 'Sign-ins refused, by reason: bad_token, throttled_address (too many wrong tokens from one address), throttled_global',
      labelNames: ['reason'],
      registers: [],
      async collect() {
        // Kept in Redis by sessions/sign-in-throttle.ts, so every replica shows the cluster-wide count.
        const counts = await deps.redis.hgetall(signInRefusedKey(deps.prefix));
        this.reset();
        for (const [reason, n] of Object.entries(counts)) this.inc({ reason }, Number(n));
      },
    }),
  );
  collectDefaultMetrics({ register: registry, prefix: 'dda_ingress_' });
  return registry;
}
