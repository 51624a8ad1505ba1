import type { RedisClient } from '@dda/redis';
import {
  metricCatalog,
  metricNames,
  readCounter,
  readHistogram,
  type CounterName,
  type HistogramName,
  type MetricName,
} from '@dda/metrics';

type PromValue = { value: number; labels: Record<string, string | number>; metricName?: string };
/** The shape prom-client's Registry renders (registerMetric only needs `name` and `get`). */
export type CustomMetric = {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  get: () => Promise<{ name: string; help: string; type: string; values: PromValue[]; aggregator: 'sum' }>;
};

const le = (n: number) => (n === Number.POSITIVE_INFINITY ? '+Inf' : String(n));

/**
 * One prom-client metric per catalog entry, read from its Redis hash at scrape time: the workers wrote it,
 * every ingress replica exposes the same cluster-wide totals.
 */
function redisBacked(redis: RedisClient, prefix: string, name: MetricName): CustomMetric {
  const spec = metricCatalog[name];
  const base = { name, help: spec.help, type: spec.type };
  return {
    ...base,
    async get() {
      if (spec.type === 'counter') {
        const series = await readCounter(redis, prefix, name as CounterName);
        return { ...base, aggregator: 'sum', values: series.map((s) => ({ value: s.value, labels: s.labels })) };
      }
      const series = await readHistogram(redis, prefix, name as HistogramName);
      const values = series.flatMap((s): PromValue[] => [
        ...s.buckets.map((b) => ({ metricName: `${name}_bucket`, value: b.count, labels: { ...s.labels, le: le(b.le) } })),
        { metricName: `${name}_sum`, value: s.sum, labels: s.labels },
        { metricName: `${name}_count`, value: s.count, labels: s.labels },
      ]);
      return { ...base, aggregator: 'sum', values };
    },
  };
}

export function redisBackedMetrics(redis: RedisClient, prefix: string): CustomMetric[] {
  return metricNames.map((n) => redisBacked(redis, prefix, n));
}
