import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectTestRedis, deleteKeys, uniquePrefix, waitUntil } from '@dda/testkit';
import {
  bucketIndex,
  createMetricBatch,
  createMetricHooks,
  mergeEndpoint,
  metricCatalog,
  readCounter,
  readHistogram,
} from '../src/index.ts';

let redis: Redis;
const prefix = uniquePrefix('metrics');
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('metrics kept in Redis', () => {
  it('counters add up per label set, whatever the order the labels were given in', async () => {
    const batch = createMetricBatch(redis, prefix, { flushMs: 60_000 });
    batch.increment('dda_webhooks_rejected_total', { source: 'crm', reason: 'bad_signature' });
    batch.increment('dda_webhooks_rejected_total', { reason: 'bad_signature', source: 'crm' }, 2);
    batch.increment('dda_webhooks_rejected_total', { source: 'voice', reason: 'stale_timestamp' });
    await batch.flush();
    const series = await readCounter(redis, prefix, 'dda_webhooks_rejected_total');
    expect(series).toEqual(
      expect.arrayContaining([
        { labels: { source: 'crm', reason: 'bad_signature' }, value: 3 },
        { labels: { source: 'voice', reason: 'stale_timestamp' }, value: 1 },
      ]),
    );
  });

  it('histograms come back with cumulative buckets ending in +Inf, a sum and a count', async () => {
    const buckets = metricCatalog.dda_call_dead_air_seconds.buckets;
    const batch = createMetricBatch(redis, prefix, { flushMs: 60_000 });
    for (const v of [0.05, 0.3, 0.3, 2.5, 99]) batch.observe('dda_call_dead_air_seconds', {}, v);
    await batch.flush();
    const [s] = await readHistogram(redis, prefix, 'dda_call_dead_air_seconds');
    expect(s!.count).toBe(5);
    expect(s!.sum).toBeCloseTo(102.15, 5);
    expect(s!.buckets).toHaveLength(buckets.length + 1);
    expect(s!.buckets.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: 5 });
    const at = (le: number) => s!.buckets.find((b) => b.le === le)!.count;
    expect(at(0.1)).toBe(1);
    expect(at(0.5)).toBe(3);
    expect(at(3)).toBe(4);
    expect(at(10)).toBe(4);
  });

  it('a value on a bucket boundary counts in that bucket (le means less or equal)', () => {
    expect(bucketIndex([0.1, 0.5, 1], 0.5)).toBe(1);
    expect(bucketIndex([0.1, 0.5, 1], 1.01)).toBe(3);
  });
});

describe('hook points for the workers', () => {
  it('record Telnyx, Merge and AI latency and errors, dead air and time to dial, without ever throwing', async () => {
    const hooks = createMetricHooks(redis, prefix);
    hooks.telnyxCommand({ action: 'dial', ms: 120, outcome: 'ok' });
    hooks.telnyxCommand({ action: 'speak', ms: 40, outcome: 'ended' });
    hooks.telnyxCommand({ action: 'bridge', ms: 900, outcome: 'error', status: 422 });
    hooks.mergeRequest({ path: '/crm/v1/opportunities/7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5', status: 200, ms: 80, attempt: 0 });
    hooks.mergeRequest({ path: '/crm/v1/opportunities', status: 'error', ms: 2000, attempt: 1 });
    hooks.aiRequest({ ms: 8000, outcome: 'timeout' });
    hooks.deadAir(450);
    hooks.timeToDial(1200);
    await waitUntil(async () => (await readHistogram(redis, prefix, 'dda_time_to_dial_seconds')).length === 1, 2000);
    await waitUntil(async () => (await readCounter(redis, prefix, 'dda_ai_request_errors_total')).length === 1, 2000);

    const telnyx = await readHistogram(redis, prefix, 'dda_telnyx_command_seconds');
    expect(telnyx.map((s) => s.labels.action).sort()).toEqual(['bridge', 'dial', 'speak']);
    expect(await readCounter(redis, prefix, 'dda_telnyx_command_errors_total')).toEqual([
      { labels: { action: 'bridge', status: '422' }, value: 1 },
    ]);
    const merge = await readHistogram(redis, prefix, 'dda_merge_request_seconds');
    expect(merge.map((s) => s.labels.endpoint).sort()).toEqual(['/crm/v1/opportunities', '/crm/v1/opportunities/:id']);
    expect(await readCounter(redis, prefix, 'dda_merge_request_errors_total')).toEqual([
      { labels: { endpoint: '/crm/v1/opportunities', status: 'error' }, value: 1 },
    ]);
    expect(await readCounter(redis, prefix, 'dda_ai_request_errors_total')).toEqual([{ labels: { reason: 'timeout' }, value: 1 }]);
    expect((await readHistogram(redis, prefix, 'dda_call_dead_air_seconds'))[0]!.count).toBeGreaterThan(0);
  });

  it('a Redis that is gone does not turn into an exception in the caller', async () => {
    const dead = redis.duplicate({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const warnings: string[] = [];
    const hooks = createMetricHooks(dead, prefix, { warn: (_o, m) => warnings.push(m) });
    expect(() => hooks.deadAir(100)).not.toThrow();
    await waitUntil(async () => warnings.length > 0, 2000);
    hooks.deadAir(100);
    await new Promise((r) => setTimeout(r, 50));
    expect(warnings).toEqual(['metric not recorded']); // at most one warning a minute
    dead.disconnect();
  });

  it('keeps Merge endpoint labels few: ids become :id', () => {
    expect(mergeEndpoint('/crm/v1/opportunities/abc-123?expand=owner')).toBe('/crm/v1/opportunities/:id');
    expect(mergeEndpoint('/crm/v1/notes')).toBe('/crm/v1/notes');
  });
});

describe('batched writes (every webhook and job counts, a few commands a second reach Redis)', () => {
  it('sums in memory and writes on flush: 1,000 increments and 3 observations arrive exact', async () => {
    const p = uniquePrefix('metrics-batch');
    const batch = createMetricBatch(redis, p, { flushMs: 60_000 });
    for (let i = 0; i < 1000; i++) batch.increment('dda_webhooks_received_total', { source: i % 4 === 0 ? 'voice' : 'crm' });
    for (const v of [0.2, 0.4, 7]) batch.observe('dda_call_dead_air_seconds', {}, v);
    expect(await readCounter(redis, p, 'dda_webhooks_received_total')).toEqual([]); // nothing yet: it waits for the flush
    await batch.flush();
    expect(await readCounter(redis, p, 'dda_webhooks_received_total')).toEqual(
      expect.arrayContaining([
        { labels: { source: 'crm' }, value: 750 },
        { labels: { source: 'voice' }, value: 250 },
      ]),
    );
    const [h] = await readHistogram(redis, p, 'dda_call_dead_air_seconds');
    expect(h!.count).toBe(3);
    expect(h!.sum).toBeCloseTo(7.6, 5);
    await deleteKeys(redis, p);
  });

  it('flushes by itself after flushMs', async () => {
    const p = uniquePrefix('metrics-batch');
    const batch = createMetricBatch(redis, p, { flushMs: 50 });
    batch.increment('dda_jobs_total', { queue: 'dials', result: 'completed' }, 3);
    await waitUntil(async () => (await readCounter(redis, p, 'dda_jobs_total'))[0]?.value === 3, 2000);
    await deleteKeys(redis, p);
  });

  it('a failed write is kept and goes out with the next flush once Redis answers again', async () => {
    const p = uniquePrefix('metrics-batch');
    const flaky = redis.duplicate({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const errors: unknown[] = [];
    const batch = createMetricBatch(flaky, p, { flushMs: 60_000, onError: (e) => errors.push(e) });
    batch.increment('dda_alerts_outcome_total', { outcome: 'connected' }, 2);
    await batch.flush(); // not connected: refused
    expect(errors).toHaveLength(1);
    batch.increment('dda_alerts_outcome_total', { outcome: 'connected' });
    // The refused pipeline set the lazy connection connecting; Redis is reachable again once it is ready.
    if (flaky.status !== 'ready') await new Promise((r) => flaky.once('ready', r));
    await batch.flush();
    expect(await readCounter(redis, p, 'dda_alerts_outcome_total')).toEqual([{ labels: { outcome: 'connected' }, value: 3 }]);
    flaky.disconnect();
    await deleteKeys(redis, p);
  });
});
