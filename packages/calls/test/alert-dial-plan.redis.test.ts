import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '@dda/logger';
import { closeQueues, createQueues } from '@dda/queues';
import {
  createAlertPlans,
  createRoutingStore,
  currentRoutingSource,
  routingFromEnv,
  validateRouting,
  type RoutingDocument,
} from '@dda/routing';
import { createAlertsRepository, type NewAlert } from '@dda/store';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import type { CallDeps, CallSettings } from '../src/call-deps.ts';
import { createCallsRepository } from '../src/calls-repository.ts';
import { dialPlanOf } from '../src/alert-dial-plan.ts';

const settings = {
  vpNumber: '+15550100001',
  vpName: 'the VP of Sales',
  escalation: [],
  retryAttempts: 1,
  timeZone: 'UTC',
  quietHours: '',
} as unknown as CallSettings;
const doc = (routes: unknown[]): RoutingDocument => {
  const v = validateRouting({
    recipients: [
      { id: 'vp', name: 'Jordan Lee', phone: '+15550100100' },
      { id: 'emea', name: 'Ines Duarte', phone: '+15550100300' },
    ],
    routes,
    reps: [{ email: 'dana@seller.example', name: 'Dana Whitfield', phone: '+15550100201' }],
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.routing;
};
const newAlert = (linked: string | null): NewAlert => ({
  source: 'webhook',
  reason: 'moved',
  reasons: ['entered_alert_stage'],
  linked_account_id: linked,
  deal: {
    id: 'd1',
    name: 'Deal',
    amount: 80_000,
    currency: null,
    stage: 'Negotiation',
    previous_stage: null,
    account: 'Acme',
    owner: { name: null, email: 'dana@seller.example' },
    close_date: null,
  },
});

let redis: Redis;
let prefix: string;
let deps: CallDeps;
beforeAll(async () => {
  redis = new Redis(await testRedisUrl(), { maxRetriesPerRequest: null });
  prefix = uniquePrefix('plan');
  const store = createRoutingStore(redis, prefix);
  deps = {
    calls: createCallsRepository(redis, prefix),
    alerts: createAlertsRepository(redis, prefix),
    queues: createQueues(redis, prefix),
    telnyx: {} as CallDeps['telnyx'],
    directory: [],
    routing: {
      current: currentRoutingSource(
        store,
        routingFromEnv(
          { VP_SALES_NUMBER: '+15550100001', VP_NAME: 'the VP of Sales', ESCALATION_NUMBERS: [], VP_TIMEZONE: 'UTC', QUIET_HOURS: '' },
          [],
        ),
      ),
      plans: createAlertPlans(redis, prefix),
    },
    settings,
    log: createLogger({ service: 'plan-test', level: 'silent' }),
  };
});
afterAll(async () => {
  await closeQueues(deps.queues);
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe("an alert's dial plan (real Redis)", () => {
  it("without a document, the environment's VP is called (version 0)", async () => {
    const alert = (await deps.alerts.get(await deps.alerts.createManual(newAlert(null))))!;
    expect(await dialPlanOf(deps, alert)).toMatchObject({
      fresh: true,
      plan: { route: 'everything', version: 0, call: [{ id: 'vp', phone: '+15550100001', tries: 2 }] },
    });
  });

  it("routes by the alert's linked account, takes the rep from the document, and keeps the plan after a routing change", async () => {
    const store = createRoutingStore(redis, prefix);
    await store.save(
      doc([
        { name: 'subsidiary', match: { accounts: ['la-emea'] }, call: ['emea', 'vp'] },
        { name: 'rest', match: {}, call: ['vp'] },
      ]),
      { source: 'test' },
    );
    const emea = (await deps.alerts.get(await deps.alerts.createManual(newAlert('la-emea'))))!;
    const home = (await deps.alerts.get(await deps.alerts.createManual(newAlert('la-home'))))!;
    const first = await dialPlanOf(deps, emea);
    expect(first).toMatchObject({
      fresh: true,
      plan: {
        route: 'subsidiary',
        version: 1,
        call: [{ id: 'emea' }, { id: 'vp' }],
        ae: { name: 'Dana Whitfield', phone: '+15550100201' },
      },
    });
    expect((await dialPlanOf(deps, home)).plan.route).toBe('rest');

    await store.save(doc([{ name: 'only vp', match: {}, call: ['vp'] }]), { source: 'test' });
    // Fixed at its first dial: the same plan, not a fresh match against version 2.
    expect(await dialPlanOf(deps, emea)).toEqual({ fresh: false, plan: first.plan });
    const later = (await deps.alerts.get(await deps.alerts.createManual(newAlert('la-emea'))))!;
    expect((await dialPlanOf(deps, later)).plan).toMatchObject({ route: 'only vp', version: 2 });
  });
});
