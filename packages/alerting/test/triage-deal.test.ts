import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createLogger } from '@dda/logger';
import { classifyMergeWebhook, createMergeClient, createMergeDirectory, mergeWebhookSchema, type MergeClient } from '@dda/merge';
import { createAlertsRepository } from '@dda/store';
import { createMergeSimulator, makeOpportunity, type MergeSimulator, type OpportunityEvent } from '@dda/sandbox/merge-sim';
import { buildCrmSeed, FIXTURE_IDS } from '@dda/sandbox/seed';
import { connectTestRedis, deleteKeys, uniquePrefix } from '@dda/testkit';
import { triageDeal, type TriageDeps } from '../src/index.ts';

const API_KEY = 'triage-merge-key';
const TOKEN = 'triage-account-token';
const WEBHOOK_KEY = 'triage-webhook-key';
const rules = { alertStages: ['negotiation'], threshold: 50_000 };
const log = createLogger({ service: 'triage-test', level: 'silent' });

/** One deal per test, so the tests share the simulator without moving each other's deals. */
const DEAL = {
  moved: '7a1a0000-0000-4000-8000-000000000001',
  flapping: '7a1a0000-0000-4000-8000-000000000002',
  outside: '7a1a0000-0000-4000-8000-000000000003',
  pending: '7a1a0000-0000-4000-8000-000000000004',
  removed: '7a1a0000-0000-4000-8000-000000000005',
  cooldown: '7a1a0000-0000-4000-8000-000000000006',
} as const;

let redis: Redis;
let sim: MergeSimulator;
const prefixes: string[] = [];

beforeAll(async () => {
  redis = await connectTestRedis();
  const seed = buildCrmSeed();
  const stageId = (name: RegExp) => seed.stages.find((s) => name.test(s.name ?? ''))!.id;
  const at = new Date(Date.now() - 86_400_000).toISOString();
  const deal = (id: string, name: string, stage: RegExp, amount: number | null) =>
    makeOpportunity({ id, created_at: at, name, amount, owner: FIXTURE_IDS.owner, account: FIXTURE_IDS.account, stage: stageId(stage) });
  seed.opportunities.push(
    deal(DEAL.moved, 'Moved deal', /proposal/i, 70_000),
    deal(DEAL.flapping, 'Flapping deal', /proposal/i, 70_000),
    deal(DEAL.outside, 'Outside deal', /prospecting/i, 70_000),
    deal(DEAL.pending, 'Pending deal', /negotiation/i, 70_000),
    deal(DEAL.removed, 'Removed deal', /negotiation/i, 70_000),
    deal(DEAL.cooldown, 'Cooldown deal', /proposal/i, 30_000),
  );
  // Removed deals answer 404, the behaviour triage must survive when it has to fetch one.
  sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN, seed, rateLimitPerMinute: 0, removedDeals: '404' });
});
afterAll(async () => {
  for (const p of prefixes) await deleteKeys(redis, p);
  await sim?.close();
  redis?.disconnect();
});

/** Real Merge client, real directory (warmed, so names come from Redis) and real alerts repository. */
async function setup(overrides: Partial<TriageDeps> = {}) {
  const prefix = uniquePrefix('triage');
  prefixes.push(prefix);
  const merge: MergeClient = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: TOKEN });
  const directory = createMergeDirectory({ redis, prefix, merge, cacheSeconds: 600 });
  await directory.warm();
  const alerts = createAlertsRepository(redis, prefix);
  const deps: TriageDeps = { merge, directory, alerts, rules, log, baseline: null, ...overrides };
  return { prefix, alerts, deps };
}

/** The change the ingress would queue for the simulator's delivery of this event, through the real envelope parser. */
function webhookChange(id: string, event: OpportunityEvent = 'Opportunity.changed') {
  const { body } = sim.webhookFor(id, event, WEBHOOK_KEY);
  const intent = classifyMergeWebhook(mergeWebhookSchema.parse(JSON.parse(body)));
  if (intent.kind !== 'opportunity') throw new Error(`not an opportunity event: ${intent.kind}`);
  return { source: 'webhook' as const, opportunityId: intent.opportunityId, event: intent.event, record: intent.record };
}

const opportunityGets = (id: string) => sim.requests.filter((r) => r.method === 'GET' && r.path === `/crm/v1/opportunities/${id}`);

describe('triageDeal against the Merge simulator and real Redis', () => {
  it('a move into an alert stage creates exactly one alert from the webhook record, without asking Merge', async () => {
    const { alerts, deps } = await setup({ linkedAccountId: 'linked-acct-1' });
    expect(await triageDeal(deps, webhookChange(DEAL.moved))).toEqual({ alerted: false, reason: 'not in an alert stage' });
    sim.moveDeal(DEAL.moved, 'Negotiation/Review');
    sim.requests.length = 0;
    const res = await triageDeal(deps, webhookChange(DEAL.moved));
    expect(sim.requests).toEqual([]);
    expect(res).toMatchObject({
      alerted: true,
      duplicate: false,
      reason: 'moved from Proposal/Price Quote to alert stage Negotiation/Review',
    });
    if (!res.alerted) throw new Error('expected an alert');
    const alert = await alerts.get(res.alertId);
    expect(alert).toMatchObject({
      source: 'webhook',
      status: 'pending',
      reasons: ['entered_alert_stage'],
      linked_account_id: 'linked-acct-1',
      deal: {
        id: DEAL.moved,
        name: 'Moved deal',
        amount: 70_000,
        stage: 'Negotiation/Review',
        previous_stage: 'Proposal/Price Quote',
        account: 'Northwind Traders',
        owner: { name: 'Dana Whitfield', email: 'dana.whitfield@northwind.example' },
      },
    });
    expect(await alerts.counts()).toEqual({ alerts: 1, undispatched: 1 });
    expect(await alerts.undispatched()).toEqual([res.alertId]);
    expect(await alerts.getSnapshot(DEAL.moved)).toMatchObject({ stage: 'Negotiation/Review', band: 'above', version: 2 });
  });

  it('the same change delivered again, one after the other or at once, creates no second alert', async () => {
    const { alerts, deps } = await setup();
    sim.moveDeal(DEAL.flapping, 'Proposal/Price Quote');
    await triageDeal(deps, webhookChange(DEAL.flapping));
    sim.moveDeal(DEAL.flapping, 'Negotiation/Review');
    const change = webhookChange(DEAL.flapping);
    const [a, b] = await Promise.all([triageDeal(deps, change), triageDeal(deps, change)]);
    const again = await triageDeal(deps, change);
    expect([a, b].filter((r) => r.alerted)).toHaveLength(1);
    expect([a, b].find((r) => !r.alerted)).toEqual({ alerted: false, reason: 'no change of stage or band' });
    expect(again).toEqual({ alerted: false, reason: 'no change of stage or band' });
    expect(await alerts.counts()).toEqual({ alerts: 1, undispatched: 1 });
  });

  it('the same transition seen again (a flapping stage, no cooldown) is a duplicate of the first alert', async () => {
    const { alerts, deps } = await setup({ cooldownSeconds: 0 });
    sim.moveDeal(DEAL.flapping, 'Proposal/Price Quote');
    await triageDeal(deps, webhookChange(DEAL.flapping));
    sim.moveDeal(DEAL.flapping, 'Negotiation/Review');
    const first = await triageDeal(deps, webhookChange(DEAL.flapping));
    expect(first).toMatchObject({ alerted: true, duplicate: false });
    sim.moveDeal(DEAL.flapping, 'Proposal/Price Quote');
    expect(await triageDeal(deps, webhookChange(DEAL.flapping))).toMatchObject({ alerted: false });
    sim.moveDeal(DEAL.flapping, 'Negotiation/Review');
    const second = await triageDeal(deps, webhookChange(DEAL.flapping));
    if (!first.alerted) throw new Error('expected an alert');
    expect(second).toEqual({
      alerted: true,
      duplicate: true,
      alertId: first.alertId,
      reason: expect.stringContaining('Negotiation/Review'),
    });
    expect(await alerts.counts()).toEqual({ alerts: 1, undispatched: 1 });
  });

  it('a change that stays out of the alert stages alerts nothing and records the new stage', async () => {
    const { alerts, deps } = await setup();
    await triageDeal(deps, webhookChange(DEAL.outside));
    sim.moveDeal(DEAL.outside, 'Qualification');
    const res = await triageDeal(deps, webhookChange(DEAL.outside));
    expect(res).toEqual({ alerted: false, reason: 'not in an alert stage' });
    expect(await alerts.counts()).toEqual({ alerts: 0, undispatched: 0 });
    expect(await alerts.getSnapshot(DEAL.outside)).toMatchObject({ stage: 'Qualification', version: 2 });
  });

  it("an open-enum status ('PENDING') and a null amount are read as an open deal of unknown size", async () => {
    const { alerts, deps } = await setup();
    sim.setStatus(DEAL.pending, 'PENDING');
    sim.setAmount(DEAL.pending, null);
    const change = webhookChange(DEAL.pending);
    expect(change.record).toMatchObject({ status: 'PENDING', amount: null });
    const res = await triageDeal(deps, change);
    expect(res).toMatchObject({ alerted: true, duplicate: false, reason: 'first seen in alert stage Negotiation/Review' });
    if (!res.alerted) throw new Error('expected an alert');
    expect((await alerts.get(res.alertId))?.deal).toMatchObject({ amount: null, stage: 'Negotiation/Review' });
    expect(await alerts.getSnapshot(DEAL.pending)).toMatchObject({ amount: null, band: 'unknown' });
  });

  it('a removed deal whose change carries no record ends on the 404 without an alert and without asking twice', async () => {
    const { alerts, deps } = await setup();
    sim.removeDeal(DEAL.removed);
    expect(sim.getDeal(DEAL.removed)).toBeUndefined();
    sim.requests.length = 0;
    const res = await triageDeal(deps, { source: 'webhook', opportunityId: DEAL.removed, event: 'removed' });
    expect(res).toEqual({ alerted: false, reason: 'deal deleted (Merge answered 404)' });
    expect(opportunityGets(DEAL.removed).map((r) => r.status)).toEqual([404]);
    // The poll's path (never a record) ends the same way.
    expect(await triageDeal(deps, { source: 'poll', opportunityId: DEAL.removed, event: 'changed' })).toEqual(res);
    expect(await alerts.counts()).toEqual({ alerts: 0, undispatched: 0 });
    expect(await alerts.getSnapshot(DEAL.removed)).toBeNull();
  });

  it('a second alerting change within the cooldown does not alert again; without a cooldown it does', async () => {
    sim.moveDeal(DEAL.cooldown, 'Negotiation/Review');
    const enterNegotiation = webhookChange(DEAL.cooldown);
    sim.setAmount(DEAL.cooldown, 80_000);
    const crossThreshold = webhookChange(DEAL.cooldown);

    const cooled = await setup({ cooldownSeconds: 600 });
    const first = await triageDeal(cooled.deps, enterNegotiation);
    expect(first).toMatchObject({ alerted: true, duplicate: false, reason: 'first seen in alert stage Negotiation/Review' });
    if (!first.alerted) throw new Error('expected an alert');
    expect(await triageDeal(cooled.deps, crossThreshold)).toEqual({
      alerted: false,
      reason: `cooldown: the deal alerted recently (${first.alertId})`,
    });
    expect(await cooled.alerts.counts()).toEqual({ alerts: 1, undispatched: 1 });
    expect(await cooled.alerts.getSnapshot(DEAL.cooldown)).toMatchObject({ amount: 80_000, band: 'above' });

    const uncooled = await setup({ cooldownSeconds: 0 });
    await triageDeal(uncooled.deps, enterNegotiation);
    expect(await triageDeal(uncooled.deps, crossThreshold)).toMatchObject({
      alerted: true,
      duplicate: false,
      reason: 'amount 80000 crossed the threshold 50000',
    });
    expect(await uncooled.alerts.counts()).toEqual({ alerts: 2, undispatched: 2 });
  });
});
