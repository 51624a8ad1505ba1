import type { RedisClient } from '@dda/redis';
import { metricCatalog, type CounterName, type HistogramName, type LabelsOf } from './metric-catalog.ts';
import { bucketIndex, counterField, labelPart, metricKey } from './redis-metrics.ts';

export type MetricBatch = {
  increment<N extends CounterName>(name: N, labels: LabelsOf<N>, by?: number): void;
  /** One value (seconds) of a histogram. */
  observe<N extends HistogramName>(name: N, labels: LabelsOf<N>, value: number): void;
  /** Writes what has accumulated now (shutdown, tests); resolves once Redis has it or the write failed. */
  flush(): Promise<void>;
};

/**
 * Hot paths (every webhook, every job) add to in-memory sums, and one pipeline of HINCRBY/HINCRBYFLOAT per
 * `flushMs` carries them to Redis: at thousands of webhooks a second that is a handful of commands instead
 * of one per webhook. The sums are per series, so memory stays bounded by the number of label sets. A write
 * that fails is added back and retried with the next flush (a Redis outage loses nothing and costs one retry
 * per `flushMs`); a crash loses at most the last `flushMs` of counts, which a metric can afford and a job
 * could not.
 */
export function createMetricBatch(
  redis: RedisClient,
  prefix: string,
  opts: { flushMs?: number; onError?: (err: unknown) => void } = {},
): MetricBatch {
  const flushMs = opts.flushMs ?? 250;
  let pending = new Map<string, Map<string, number>>();
  let timer: NodeJS.Timeout | undefined;

  const add = (key: string, field: string, by: number) => {
    let fields = pending.get(key);
    if (!fields) pending.set(key, (fields = new Map()));
    fields.set(field, (fields.get(field) ?? 0) + by);
    // The timer exists only while something waits, so an idle process has none; unref: it never keeps one alive.
    timer ??= setTimeout(() => void flush(), flushMs).unref();
  };

  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const writes: [key: string, field: string, by: number][] = [];
    for (const [key, fields] of pending) for (const [field, by] of fields) writes.push([key, field, by]);
    pending = new Map();
    const pipe = redis.pipeline();
    // Sums are the only fractional fields ("s|…"); everything else counts.
    for (const [key, field, by] of writes) field.startsWith('s|') ? pipe.hincrbyfloat(key, field, by) : pipe.hincrby(key, field, by);
    let failed: typeof writes;
    let error: unknown;
    try {
      const results = (await pipe.exec()) ?? [];
      failed = writes.filter((_, i) => results[i]?.[0]);
      error = results.find(([err]) => err)?.[0];
    } catch (err) {
      failed = writes;
      error = err;
    }
    if (failed.length > 0) {
      for (const [key, field, by] of failed) add(key, field, by);
      opts.onError?.(error);
    }
  }

  return {
    increment(name, labels, by = 1) {
      add(metricKey(prefix, name), counterField(name, labels), by);
    },
    observe(name, labels, value) {
      if (!Number.isFinite(value)) return;
      const v = Math.max(0, value);
      const lp = labelPart(name, labels);
      const key = metricKey(prefix, name);
      add(key, `b${bucketIndex(metricCatalog[name].buckets, v)}|${lp}`, 1);
      add(key, `s|${lp}`, v);
      add(key, `n|${lp}`, 1);
    },
    flush,
  };
}
