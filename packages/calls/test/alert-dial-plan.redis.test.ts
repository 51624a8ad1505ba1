import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { closeQueues } from '@dda/queues';
import { createRoutingStore, validateRouting, type RoutingDocument } from '@dda/routing';
import type { NewAlert } from '@dda/store';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import type { CallDeps } from '../src/call-deps.ts';
import { dialPlanOf } from '../src/alert-dial-plan.ts';
import { placeCall } from '../src/place-call.ts';
import { applyTelnyxEvent } from '../src/apply-call-event.ts';
import { encodeClientState } from '@dda/telnyx';
import { recordingTelnyx } from './support/recording-telnyx.ts';
import { envRouting, testCallDeps, testCallSettings } from './support/test-call-deps.ts';

const settings = testCallSettings({ vpNumber: '+15550100001', retryAttempts: 1 });
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
  deps = testCallDeps(redis, prefix, {
    telnyx: {} as CallDeps['telnyx'],
    settings,
    routing: envRouting(redis, prefix, { number: '+15550100001', name: 'the VP of Sales' }),
    service: 'plan-test',
  });
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

  it('a digest transfers each alert to the AE its own plan found, not to the rep directory (here empty)', async () => {
    const store = createRoutingStore(redis, prefix);
    const routing = doc([{ name: 'all', match: {}, call: ['vp'] }]);
    routing.reps.push({ email: 'priya@seller.example', name: 'Priya Raman', phone: '+15550100204' });
    await store.save(routing, { source: 'test' });
    const telnyx = recordingTelnyx();
    const d = { ...deps, telnyx: telnyx.commands, directory: [] };
    const big = await d.alerts.createManual(newAlert(null));
    const second = newAlert(null);
    second.deal = { ...second.deal, id: 'd2', amount: 40_000, owner: { name: null, email: 'priya@seller.example' } };
    const small = await d.alerts.createManual(second);
    const placed = await placeCall(d, { alertId: big, attempt: 0, round: 0, group: [small] });
    if (!placed.placed) throw new Error(placed.reason);
    let n = 0;
    const ev = (eventType: string, payload: Record<string, unknown> = {}) =>
      applyTelnyxEvent(d, {
        eventId: `digest-${++n}`,
        eventType,
        occurredAt: null,
        receivedAt: new Date().toISOString(),
        payload: {
          call_control_id: 'v3:leg-1',
          client_state: encodeClientState({ callId: placed.callId, leg: 'vp', step: 0 }),
          ...payload,
        },
      });
    await ev('call.answered');
    await ev('call.speak.ended', { status: 'completed' });
    await ev('call.gather.ended', { digits: '4', status: 'valid' }); // next: the second alert
    await ev('call.gather.ended', { digits: '1', status: 'valid' }); // connect me
    const dials = telnyx.sent.filter((c) => c.action === 'dial').map((c) => c.body['to']);
    expect(dials).toEqual(['+15550100100', '+15550100204']);
  });
});
