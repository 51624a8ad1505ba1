import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { signMergeBody } from '@dda/merge';
import { createMergeSimulator, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { deleteKeys, freePort, startService, testRedisUrl, uniquePrefix, waitForQueuesIdle, type ServiceProcess } from '@dda/testkit';

const DEAL = '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5';
const KEY = 'e2e_merge_webhook_signature_key';
const TOKEN = 'e2e-token-0123456789abcdef';

let merge: MergeSimulator;
let ingress: ServiceProcess;
let worker: ServiceProcess;
let base: string;
let redis: Redis;
const prefix = uniquePrefix('intake');

beforeAll(async () => {
  merge = await createMergeSimulator({ apiKey: 'e2e-merge-key', accountToken: 'e2e-account-token' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    REDIS_URL: await testRedisUrl(),
    REDIS_PREFIX: prefix,
    PORT: String(port),
    API_TOKEN: TOKEN,
    MERGE_WEBHOOK_SIGNATURE_KEY: KEY,
    MERGE_BASE_URL: merge.url,
    MERGE_API_KEY: 'e2e-merge-key',
    MERGE_ACCOUNT_TOKEN: 'e2e-account-token',
    MERGE_POLL_SECONDS: '0',
  };
  redis = new Redis(env.REDIS_URL);
  ingress = startService('ingress', env);
  worker = startService('briefing-worker', { ...env, PROCESS_NICE: '10' });
  await Promise.all([ingress.waitFor(/ingress listening/), worker.waitFor(/briefing-worker started/)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([ingress?.stop(), worker?.stop()]);
  await merge?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const deliver = async (body: string, signature: string, contentType = 'application/json') => {
  const res = await fetch(`${base}/webhooks/crm`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-merge-webhook-signature': signature },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const settle = () => waitForQueuesIdle(redis, prefix, ['crm-events', 'polls']);
const alerts = async () => {
  const res = await fetch(`${base}/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { alerts: Array<Record<string, any>> }).alerts;
};

describe('signed CRM webhooks become exactly one durable alert per deal change', () => {
  it('a deal seen outside an alert stage creates no alert', async () => {
    const d = merge.webhookFor(DEAL, 'Opportunity.changed', KEY);
    expect((await deliver(d.body, d.signature)).status).toBe(202);
    await settle();
    expect(await alerts()).toEqual([]);
  });

  it('moving to Negotiation alerts once with deal, account, owner, amount, stages and reason, however often it is delivered', async () => {
    merge.moveDeal(DEAL, 'Negotiation/Review');
    const d = merge.webhookFor(DEAL, 'Opportunity.changed', KEY);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await deliver(d.body, d.signature)).status);
    expect(statuses).toEqual([202, 200, 200, 200, 200]);
    // Five distinct deliveries of the same change (Merge may send several), all at once.
    const parallel = await Promise.all(
      Array.from({ length: 5 }, (_, i) => {
        const env = JSON.parse(d.body) as { hook: { id: string } };
        env.hook.id = `${env.hook.id.slice(0, -1)}${i}`;
        const body = JSON.stringify(env);
        return deliver(body, signMergeBody(body, KEY));
      }),
    );
    expect(parallel.every((r) => r.status === 202 || r.status === 200)).toBe(true);
    await settle();
    const list = await alerts();
    expect(list).toHaveLength(1);
    const a = list[0]!;
    expect(a.deal).toMatchObject({
      id: DEAL,
      name: 'Northwind - Platform Expansion FY26',
      amount: 185000,
      stage: 'Negotiation/Review',
      previous_stage: 'Proposal/Price Quote',
      account: 'Northwind Traders',
      owner: { name: 'Dana Whitfield', email: 'dana.whitfield@northwind.example' },
    });
    expect(a.reason).toMatch(/Proposal\/Price Quote.*Negotiation\/Review/);
    const one = await fetch(`${base}/alerts/${a.id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const detail = (await one.json()) as Record<string, any>;
    expect(detail.timeline[0]).toMatchObject({ event: 'alert.created' });
    expect(detail.status).toBeTypeOf('string');
    expect(detail.created_at).toMatch(/^\d{4}-/);
  });

  it('a later change of amount within the same band alerts no one', async () => {
    merge.setAmount(DEAL, 190000);
    const d = merge.webhookFor(DEAL, 'Opportunity.changed', KEY);
    expect((await deliver(d.body, d.signature)).status).toBe(202);
    await settle();
    expect(await alerts()).toHaveLength(1);
  });

  it('a deal flapping out of and back into Negotiation within the cooldown is not re-alerted', async () => {
    for (const stage of ['Proposal/Price Quote', 'Negotiation/Review']) {
      merge.moveDeal(DEAL, stage);
      const d = merge.webhookFor(DEAL, 'Opportunity.changed', KEY);
      expect((await deliver(d.body, d.signature)).status).toBe(202);
      await settle();
    }
    expect(await alerts()).toHaveLength(1);
  });

  it('a removed deal never alerts', async () => {
    const other = merge.listDeals().find((x) => x.id !== DEAL && x.remote_was_deleted === false)!;
    merge.moveDeal(other.id, 'Negotiation/Review');
    merge.removeDeal(other.id);
    const d = merge.webhookFor(other.id, 'Opportunity.removed', KEY);
    expect((await deliver(d.body, d.signature)).status).toBe(202);
    await settle();
    expect((await alerts()).map((x) => x.deal.id)).toEqual([DEAL]);
  });

  it('a change whose webhook never came is caught by the backstop poll, once', async () => {
    const sync = (n: number) => {
      const body = readFileSync(new URL('../fixtures/merge/webhook.linkedaccount.sync_completed.json', import.meta.url), 'utf8').replace(
        '"0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"',
        `"0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c${n}0"`,
      );
      return deliver(body, signMergeBody(body, KEY));
    };
    // The baseline at the worker's start already knows every deal: a poll finds only real changes.
    expect((await sync(1)).status).toBe(202);
    await settle();
    const quiet = merge.listDeals().find((x) => x.id !== DEAL && !x.remote_was_deleted && x.status === 'OPEN')!;
    merge.moveDeal(quiet.id, 'Negotiation/Review');
    expect((await sync(2)).status).toBe(202);
    await settle();
    expect((await sync(3)).status).toBe(202);
    await settle();
    const ids = (await alerts()).map((x) => x.deal.id);
    expect(ids.filter((id) => id === quiet.id)).toHaveLength(1);
  });

  it('a signed webhook sent as application/json; charset=utf-8 is accepted (202) and alerts', async () => {
    const alerted = new Set((await alerts()).map((x) => x.deal.id));
    const next = merge.listDeals().find((x) => !alerted.has(x.id) && !x.remote_was_deleted && x.status === 'OPEN' && x.id !== DEAL)!;
    merge.moveDeal(next.id, 'Negotiation/Review');
    const d = merge.webhookFor(next.id, 'Opportunity.changed', KEY);
    merge.requests.length = 0;
    const res = await deliver(d.body, d.signature, 'application/json; charset=utf-8');
    expect(res.status).toBe(202);
    await settle();
    const [a] = (await alerts()).filter((x) => x.deal.id === next.id);
    // Decided from the webhook's own record, names from the caches: Merge was not asked for anything.
    expect(a?.deal).toMatchObject({
      stage: 'Negotiation/Review',
      account: expect.any(String),
      owner: { email: expect.stringContaining('@') },
    });
    expect(merge.requests.filter((r) => r.path.startsWith('/crm/v1/opportunities'))).toEqual([]);
  });

  it('GET /deals pages opportunities from the CRM; everything but /health refuses a missing token', async () => {
    const res = await fetch(`${base}/deals?limit=2`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = (await res.json()) as { deals: unknown[]; next_cursor: string | null };
    expect(page.deals).toHaveLength(2);
    expect(page.next_cursor).toBeTruthy();
    for (const path of ['/alerts', '/deals', `/alerts/x`]) expect((await fetch(`${base}${path}`)).status).toBe(401);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });

  it('the briefing-worker runs at the CPU priority it is given (PROCESS_NICE; every test above ran with it)', () => {
    // Field 19 of /proc/<pid>/stat is the nice value; the worker set it itself at start.
    const stat = readFileSync(`/proc/${worker.proc.pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])).toBe(10);
    expect(worker.lines.some((l) => /running at lower CPU priority/.test(l))).toBe(true);
  });
});
