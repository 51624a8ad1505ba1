import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personas } from '@dda/sandbox/telnyx-sim';
import { FIXTURE_IDS } from '@dda/sandbox/seed';
import { waitUntil } from '@dda/testkit';
import { AE, startCallStack, TOKEN, VP, type CallStack } from './support/call-stack.ts';

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack();
}, 60_000);
afterAll(async () => s?.close());

const scrape = async () => {
  const res = await fetch(`${s.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
};

/** The value of the first sample of `name` whose labels include all of `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics after a sandbox call', () => {
  it('has the alert, webhook, queue and latency series with values', async () => {
    s.telnyx.setPersona(VP, personas.vpSaysConnect);
    s.telnyx.setPersona(AE, personas.aeAccepts);
    // By deal id, so the ingress itself asks Merge (a latency series of its own).
    const id = await s.raiseAlert({ deal_id: FIXTURE_IDS.deal });
    expect((await s.waitForOutcome(id)).outcome).toBe('connected');
    // A forged voice webhook, to see a refusal counted by its reason.
    await fetch(`${s.base}/webhooks/voice`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"data":{}}' });

    // Job metrics are written just after each job completes: wait for the call's last events to land.
    const text = await waitUntil(
      async () => {
        const t = await scrape();
        return (sample(t, 'dda_jobs_total', { queue: 'call-events', result: 'completed' }) ?? 0) > 0 &&
          (sample(t, 'dda_webhooks_rejected_total', { source: 'voice' }) ?? 0) > 0
          ? t
          : undefined;
      },
      10_000,
      'call-events job metrics',
    );

    // alerts
    expect(sample(text, 'dda_alerts_created_total', { source: 'manual' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dda_alerts_outcome_total', { outcome: 'connected' })).toBeGreaterThanOrEqual(1);
    // webhooks: Telnyx's signed events in, the forged one refused
    expect(sample(text, 'dda_webhooks_received_total', { source: 'voice' })).toBeGreaterThan(5);
    expect(sample(text, 'dda_webhooks_rejected_total', { source: 'voice', reason: 'missing_headers' })).toBe(1);
    // queues: depth per queue from BullMQ at scrape time, and per-queue job counts and latency from the workers
    for (const queue of ['crm-events', 'briefings', 'dials', 'call-events', 'polls']) {
      expect(sample(text, 'dda_queue_depth', { queue }), queue).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, 'dda_queue_jobs', { queue: 'call-events', state: 'completed' })).toBeGreaterThan(0);
    expect(sample(text, 'dda_jobs_total', { queue: 'dials', result: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dda_job_duration_seconds_count', { queue: 'call-events' })).toBeGreaterThan(0);
    expect(sample(text, 'dda_job_duration_seconds_sum', { queue: 'dials' })).toBeGreaterThan(0);
    expect(sample(text, 'dda_job_wait_seconds_bucket', { queue: 'call-events', le: '+Inf' })).toBeGreaterThan(0);
    // vendor latency: the ingress fetched the deal from Merge
    expect(sample(text, 'dda_merge_request_seconds_count', { endpoint: '/crm/v1/opportunities/:id' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dda_merge_request_seconds_bucket', { endpoint: '/crm/v1/opportunities/:id', le: '+Inf' })).toBeGreaterThanOrEqual(
      1,
    );
    // the ingress's own runtime
    expect(sample(text, 'dda_ingress_process_cpu_seconds_total')).toBeGreaterThan(0);
    // latencies recorded by the dialer and the call-worker
    expect(sample(text, 'dda_telnyx_command_seconds_count', { action: 'dial' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'dda_telnyx_command_seconds_count', { action: 'bridge' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dda_call_dead_air_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dda_time_to_dial_seconds_count')).toBeGreaterThanOrEqual(1);
    // help and type lines for every series, as Prometheus expects
    expect(text).toMatch(/^# TYPE dda_job_wait_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE dda_alerts_outcome_total counter$/m);
  });
});
