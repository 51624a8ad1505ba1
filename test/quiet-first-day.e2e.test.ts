import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { accountKeyOf } from '@dda/merge';
import { inboxLength } from '@dda/queues';
import { createMergeSimulator, makeOpportunity, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { FIXTURE_IDS } from '@dda/sandbox/seed';
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
import { baselineKeys } from '../packages/alerting/src/index.ts';
import { stormDealId, stormSeed } from './support/storm-seed.ts';

/*
 * Acceptance 4 of issue 12: a CRM already holding 300 open deals in Negotiation when the service is installed.
 * The baseline (record every open deal as it stands, before any webhook is triaged) is killed with -9 half-way
 * and resumed by the next worker from its saved cursor; webhooks touching those deals meanwhile wait and ring
 * nobody; a deal created afterwards directly in Negotiation alerts once.
 */
const DEALS = 300;
const KEY = 'quiet_day_signature_key';
const TOKEN = 'quiet-day-token-0123456789';
const ACCOUNT_TOKEN = 'quiet-day-account-token';
const prefix = uniquePrefix('quiet');

let merge: MergeSimulator;
let redis: Redis;
let base: string;
let env: Record<string, string>;
const services: ServiceProcess[] = [];
const start = (name: string) => {
  const svc = startService(name, env);
  services.push(svc);
  return svc;
};

beforeAll(async () => {
  // Rate-limited like Merge's entry plan (the default), and slow, so the baseline's pages take a while.
  merge = await createMergeSimulator({ apiKey: 'quiet-merge-key', accountToken: ACCOUNT_TOKEN, seed: stormSeed(DEALS, /negotiation/i) });
  merge.setFaults({ latencyMs: 700 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    REDIS_URL: await testRedisUrl(),
    REDIS_PREFIX: prefix,
    PORT: String(port),
    API_TOKEN: TOKEN,
    MERGE_WEBHOOK_SIGNATURE_KEY: KEY,
    MERGE_BASE_URL: merge.url,
    MERGE_API_KEY: 'quiet-merge-key',
    MERGE_ACCOUNT_TOKEN: ACCOUNT_TOKEN,
    MERGE_POLL_SECONDS: '0',
  };
  redis = new Redis(env.REDIS_URL!);
  await start('ingress').waitFor(/ingress listening/);
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await merge?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const deliver = async (id: string, event: 'Opportunity.changed' | 'Opportunity.added' = 'Opportunity.changed') => {
  const d = merge.webhookFor(id, event, KEY);
  const res = await fetch(`${base}/webhooks/crm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature },
    body: d.body,
  });
  return res.status;
};
const alerts = async () =>
  (
    (await (await fetch(`${base}/alerts?limit=100`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      alerts: { deal: { id: string } }[];
    }
  ).alerts;
const keys = baselineKeys(prefix, accountKeyOf(ACCOUNT_TOKEN));
const fullListings = () =>
  merge.requests.filter((r) => r.path === '/crm/v1/opportunities' && !r.query['cursor'] && !r.query['modified_after']);

describe('a quiet first day', () => {
  it('the baseline survives kill -9 half-way; webhooks touching old Negotiation deals meanwhile ring nobody', async () => {
    const first = start('briefing-worker');
    // Killed once it has recorded a page and saved its cursor, before the last page.
    await waitUntil(async () => (await redis.get(keys.cursor)) ?? undefined, 30_000, 'the baseline cursor after its first page');
    await first.stop('SIGKILL');
    expect(await redis.exists(keys.done)).toBe(0);

    // Every old deal touched (an edit that changes nothing we read): Merge sends a webhook for each.
    const touched = Array.from({ length: DEALS }, (_, i) => stormDealId(i));
    for (const id of touched) merge.touchDeal(id);
    const statuses = await Promise.all(touched.map((id) => deliver(id)));
    expect(statuses.every((s) => s === 202)).toBe(true);

    const second = start('briefing-worker');
    await second.waitFor(/deal baseline (done|resumes)/, 60_000);
    await waitUntil(async () => ((await redis.exists(keys.done)) ? true : undefined), 60_000, 'the baseline to finish');
    await waitUntil(async () => ((await inboxLength(redis, prefix)) === 0 ? true : undefined), 60_000, 'the inbox to drain');
    await waitForQueuesIdle(redis, prefix, ['crm-events'], 60_000);
    expect(await alerts()).toEqual([]);
    // Resumed, not restarted: the first page was listed once, by the worker that was killed.
    expect(fullListings()).toHaveLength(1);
    expect(second.lines.some((l) => /resumes from its saved cursor/.test(l))).toBe(true);
    expect(merge.requests.filter((r) => r.status === 429)).toEqual([]);
  }, 120_000);

  it('a deal created afterwards directly in Negotiation alerts, once', async () => {
    const stage = merge.listDeals().find((d) => d.id === stormDealId(0))!.stage as string;
    const created = new Date().toISOString().replace('Z', '000Z');
    const id = '0e110000-0000-4000-8000-000000000001';
    merge.putRawOpportunity(
      makeOpportunity({
        id,
        created_at: created,
        modified_at: created,
        name: 'Brand-new deal',
        amount: 90_000,
        owner: FIXTURE_IDS.owner,
        account: FIXTURE_IDS.account,
        stage,
      }) as unknown as Record<string, unknown> & { id: string },
    );
    for (let i = 0; i < 3; i++) expect([200, 202]).toContain(await deliver(id, 'Opportunity.added'));
    await waitForQueuesIdle(redis, prefix, ['crm-events'], 30_000);
    await sleep(200);
    expect((await alerts()).map((a) => a.deal.id)).toEqual([id]);
  }, 60_000);
});
