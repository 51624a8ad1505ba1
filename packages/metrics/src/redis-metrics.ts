import type { ChainableCommander } from 'ioredis';
import { hashTag, type RedisClient } from '@dda/redis';
import { metricCatalog, type CounterName, type HistogramName, type LabelsOf, type MetricName } from './metric-catalog.ts';

/*
 * Workers are separate processes (and may be scaled out), so they cannot share a prom-client registry. Each
 * observation is instead a few HINCRBYs into one Redis hash per metric (batched: metric-batch.ts), and the ingress turns those hashes
 * into Prometheus text at scrape time. Totals are therefore cluster-wide and survive restarts (AOF), which is
 * what a counter means to Prometheus anyway. Fields:
 *   c|<labels>        counter value
 *   b<i>|<labels>     histogram: observations that fell in bucket i (i = buckets.length is +Inf), not cumulative
 *   s|<labels>        histogram: sum of observed values
 *   n|<labels>        histogram: number of observations
 * <labels> is the JSON array of label values in catalog order, so a field never depends on key order.
 */

/** Every metric under one hash tag: a batch of increments is one pipeline, which Redis Cluster sends to one node. */
export function metricKey(prefix: string, name: MetricName): string {
  return `${prefix}:${hashTag('metrics')}:${name}`;
}

/** Label values come from our own code, but are capped anyway so a surprise cannot blow up a hash. */
export function labelPart<N extends MetricName>(name: N, labels: LabelsOf<N>): string {
  const values = metricCatalog[name].labels.map((l) => String((labels as Record<string, unknown>)[l] ?? '').slice(0, 80));
  return JSON.stringify(values);
}

export function bucketIndex(buckets: readonly number[], value: number): number {
  const i = buckets.findIndex((le) => value <= le);
  return i === -1 ? buckets.length : i;
}

/** The hash field of one counter series, for a Lua script that increments it next to its own writes. */
export function counterField<N extends CounterName>(name: N, labels: LabelsOf<N>): string {
  return `c|${labelPart(name, labels)}`;
}

/** Adds a counter increment to a transaction the caller is building (the store counts inside its own MULTI). */
export function addIncrement<N extends CounterName>(
  multi: ChainableCommander,
  prefix: string,
  name: N,
  labels: LabelsOf<N>,
  by = 1,
): ChainableCommander {
  return multi.hincrby(metricKey(prefix, name), counterField(name, labels), by);
}

export type CounterSeries = { labels: Record<string, string>; value: number };
export type HistogramSeries = { labels: Record<string, string>; buckets: { le: number; count: number }[]; sum: number; count: number };

function labelsFrom(name: MetricName, part: string): Record<string, string> {
  const values = JSON.parse(part) as string[];
  return Object.fromEntries(metricCatalog[name].labels.map((l, i) => [l, values[i] ?? '']));
}

export async function readCounter(redis: RedisClient, prefix: string, name: CounterName): Promise<CounterSeries[]> {
  const h = await redis.hgetall(metricKey(prefix, name));
  return Object.entries(h)
    .filter(([f]) => f.startsWith('c|'))
    .map(([f, v]) => ({ labels: labelsFrom(name, f.slice(2)), value: Number(v) }));
}

/** Buckets come back cumulative (le = +Inf last), as Prometheus expects them. */
export async function readHistogram(redis: RedisClient, prefix: string, name: HistogramName): Promise<HistogramSeries[]> {
  const h = await redis.hgetall(metricKey(prefix, name));
  const bounds = metricCatalog[name].buckets;
  const series = new Map<string, { raw: number[]; sum: number; count: number }>();
  const entry = (lp: string) => {
    let e = series.get(lp);
    if (!e) series.set(lp, (e = { raw: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 }));
    return e;
  };
  for (const [field, value] of Object.entries(h)) {
    const bar = field.indexOf('|');
    const tag = field.slice(0, bar);
    const e = entry(field.slice(bar + 1));
    if (tag === 's') e.sum = Number(value);
    else if (tag === 'n') e.count = Number(value);
    else if (tag.startsWith('b')) e.raw[Number(tag.slice(1))] = Number(value);
  }
  return [...series].map(([lp, e]) => {
    let running = 0;
    const buckets = [...bounds, Number.POSITIVE_INFINITY].map((le, i) => ({ le, count: (running += e.raw[i] ?? 0) }));
    return { labels: labelsFrom(name, lp), buckets, sum: e.sum, count: e.count };
  });
}
