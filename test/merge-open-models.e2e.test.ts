import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { signMergeBody } from '@dda/merge';
import { inboxLength } from '@dda/queues';
import { createMergeSimulator, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { FIXTURE_IDS } from '@dda/sandbox/seed';
import { stormSeed } from './support/storm-seed.ts';
import {
  deleteKeys,
  freePort,
  startService,
  testRedisUrl,
  uniquePrefix,
  waitForQueuesIdle,
  waitUntil,
  type ServiceProcess,
} from '@dda/testkit';

/*
 * Acceptance 5 of issue 12: Merge's enums are open and its records imperfect. A PENDING status, an amount of
 * null and a record we cannot read, inside a poll page and in webhooks: no 5xx, the poll does not stall, the
 * good deals alert, the bad record is logged and counted.
 */
const KEY = 'open_models_signature_key';
const TOKEN = 'open-models-token-0123456789';
const BAD = '0bad7c1e-5f2a-4b3c-9d8e-aa11bb22cc33';
const prefix = uniquePrefix('open');

let merge: MergeSimulator;
let redis: Redis;
let base: string;
let worker: ServiceProcess;
let ingress: ServiceProcess;

beforeAll(async () => {
  merge = await createMergeSimulator({ apiKey: 'open-merge-key', accountToken: 'open-account-token', seed: stormSeed(6) });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    REDIS_URL: await testRedisUrl(),
    REDIS_PREFIX: prefix,
    PORT: String(port),
    API_TOKEN: TOKEN,
    MERGE_WEBHOOK_SIGNATURE_KEY: KEY,
    MERGE_BASE_URL: merge.url,
    MERGE_API_KEY: 'open-merge-key',
    MERGE_ACCOUNT_TOKEN: 'open-account-token',
    MERGE_POLL_SECONDS: '0',
  };
  redis = new Redis(env.REDIS_URL);
  ingress = startService('ingress', env);
  worker = startService('briefing-worker', env);
  await Promise.all([
    ingress.waitFor(/ingress listening/),
    worker.waitFor(/briefing-worker started.*"baseline":"done"|"baseline":"done".*briefing-worker started/),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([ingress?.stop(), worker?.stop()]);
  await merge?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const post = async (body: string) => {
  const res = await fetch(`${base}/webhooks/crm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': signMergeBody(body, KEY) },
    body,
  });
  return res.status;
};
const settle = async () => {
  await waitUntil(async () => ((await inboxLength(redis, prefix)) === 0 ? true : undefined), 20_000, 'the inbox to drain');
  await waitForQueuesIdle(redis, prefix, ['crm-events', 'polls']);
};
const alertedDeals = async () =>
  (
    (await (await fetch(`${base}/alerts?limit=100`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      alerts: { deal: { id: string; amount: unknown } }[];
    }
  ).alerts;
/** Open deals not already in Negotiation (moving those there is no change). */
const open = () =>
  merge.listDeals().filter((d) => d.status === 'OPEN' && !d.remote_was_deleted && d.stage !== FIXTURE_IDS.negotiationStage);

describe('open enums and imperfect records', () => {
  it('webhooks with status PENDING and amount null are accepted and alert; unreadable webhook data falls back to a fetch', async () => {
    const [pending, unreadable] = open();
    merge.moveDeal(pending!.id, 'Negotiation/Review');
    merge.setStatus(pending!.id, 'PENDING');
    merge.setAmount(pending!.id, null);
    expect(await post(merge.webhookFor(pending!.id, 'Opportunity.changed', KEY).body)).toBe(202);

    merge.moveDeal(unreadable!.id, 'Negotiation/Review');
    const env = JSON.parse(merge.webhookFor(unreadable!.id, 'Opportunity.changed', KEY).body) as { data: Record<string, unknown> };
    env.data['amount'] = 'a lot';
    expect(await post(JSON.stringify(env))).toBe(202);
    await settle();

    const alerts = await alertedDeals();
    expect(alerts.map((a) => a.deal.id).sort()).toEqual([pending!.id, unreadable!.id].sort());
    expect(alerts.find((a) => a.deal.id === pending!.id)?.deal.amount).toBeNull();
    expect(merge.requests.filter((r) => r.path === `/crm/v1/opportunities/${unreadable!.id}`)).toHaveLength(1);
    expect(merge.requests.filter((r) => r.path === `/crm/v1/opportunities/${pending!.id}`)).toHaveLength(0);
  });

  it('a poll page holding a PENDING deal, an amount of null and a malformed record: the good ones alert, the bad one is skipped, logged and counted', async () => {
    const before = new Set((await alertedDeals()).map((a) => a.deal.id));
    const [a, b] = open().filter((d) => !before.has(d.id));
    merge.moveDeal(a!.id, 'Negotiation/Review');
    merge.setStatus(a!.id, 'PENDING');
    merge.moveDeal(b!.id, 'Negotiation/Review');
    merge.setAmount(b!.id, null);
    merge.putRawOpportunity({ id: BAD, name: 'Broken record', amount: 'lots', status: 'OPEN', stage: FIXTURE_IDS.negotiationStage });

    // No webhooks for these: a partially finished Merge sync starts the backstop poll, which finds them.
    const sync = readFileSync(new URL('../fixtures/merge/webhook.linkedaccount.sync_completed.json', import.meta.url), 'utf8').replaceAll(
      '"DONE"',
      '"PARTIALLY_SYNCED"',
    );
    expect(await post(sync)).toBe(202);
    await settle();

    const ids = (await alertedDeals()).map((x) => x.deal.id);
    expect(ids).toContain(a!.id);
    expect(ids).toContain(b!.id);
    expect(ids).not.toContain(BAD);
    const line = await worker.waitFor(/backstop poll: records Merge sent that we cannot read were skipped/, 5000);
    expect(line).toContain(BAD);
    expect(line).toContain('"level":"warn"');
    await worker.waitFor(/backstop poll done/, 5000);
    await sleep(400); // metric batches flush every 250 ms
    const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toMatch(/dda_merge_records_skipped_total\{path="poll"\} 1\b/);
    expect(metrics).toMatch(/dda_merge_requests_total\{priority="poll"\} [1-9]/);
  });

  it('the next poll goes past the bad record instead of stalling on it', async () => {
    const before = new Set((await alertedDeals()).map((a) => a.deal.id));
    const [c] = open().filter((d) => !before.has(d.id));
    merge.moveDeal(c!.id, 'Negotiation/Review');
    const sync = readFileSync(new URL('../fixtures/merge/webhook.linkedaccount.sync_completed.json', import.meta.url), 'utf8').replace(
      '"0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"',
      '"0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c99"',
    );
    expect(await post(sync)).toBe(202);
    await settle();
    expect((await alertedDeals()).map((x) => x.deal.id)).toContain(c!.id);
    expect(merge.requests.filter((r) => r.status >= 500 || r.status === 429)).toEqual([]);
  });
});
