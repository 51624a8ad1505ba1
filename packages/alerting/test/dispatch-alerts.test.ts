import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { closeQueues, createQueues, dialJobId, type Queues } from '@dda/queues';
import { createAlertsRepository, type NewAlert } from '@dda/store';
import { connectTestRedis, deleteKeys, uniquePrefix } from '@dda/testkit';
import { dispatchAlert, dispatchAlerts } from '../src/index.ts';

let redis: Redis;
const prefixes: string[] = [];
const queueSets: Queues[] = [];
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  for (const q of queueSets) await closeQueues(q);
  for (const p of prefixes) await deleteKeys(redis, p);
  redis?.disconnect();
});

function setup() {
  const prefix = uniquePrefix('dispatch');
  prefixes.push(prefix);
  const queues = createQueues(redis, prefix);
  queueSets.push(queues);
  const alerts = createAlertsRepository(redis, prefix);
  return { queues, alerts, deps: { alerts, queues } };
}

function doc(dealId: string): NewAlert {
  return {
    source: 'manual',
    reason: 'test alert',
    reasons: ['manual'],
    deal: {
      id: dealId,
      name: `Deal ${dealId}`,
      amount: 90_000,
      currency: 'USD',
      stage: 'Negotiation/Review',
      previous_stage: null,
      account: 'Northwind Traders',
      owner: { name: 'Dana Whitfield', email: 'dana.whitfield@northwind.example' },
      close_date: null,
    },
  };
}

const dialId = (alertId: string) => dialJobId({ alertId, round: 0, attempt: 0 });

describe('dispatchAlert / dispatchAlerts with real BullMQ queues and the real outbox', () => {
  it('dispatchAlert queues one dial job and one briefing job, then takes the alert out of the outbox', async () => {
    const { queues, alerts, deps } = setup();
    const id = await alerts.createManual(doc('deal-a'));
    expect(await alerts.undispatched()).toEqual([id]);

    await dispatchAlert(deps, id);

    const dial = await queues.byName.dials.getJob(dialId(id));
    const brief = await queues.byName.briefings.getJob(`brief-${id}`);
    expect(dial?.data).toEqual({ alertId: id, round: 0, attempt: 0, group: [] });
    expect(dial?.name).toBe('dialer.place-call');
    expect(await dial?.getState()).toBe('waiting');
    expect(brief?.data).toEqual({ alertId: id });
    expect(brief?.name).toBe('briefing.write');
    expect(await queues.byName.dials.count()).toBe(1);
    expect(await queues.byName.briefings.count()).toBe(1);
    expect(await alerts.undispatched()).toEqual([]);
    expect(await alerts.counts()).toEqual({ alerts: 1, undispatched: 0 });
  });

  it('dispatching the same alert twice creates no second job', async () => {
    const { queues, alerts, deps } = setup();
    const id = await alerts.createManual(doc('deal-b'));
    await dispatchAlert(deps, id);
    const firstDial = await queues.byName.dials.getJob(dialId(id));
    await dispatchAlert(deps, id);
    expect(await queues.byName.dials.count()).toBe(1);
    expect(await queues.byName.briefings.count()).toBe(1);
    expect((await queues.byName.dials.getJob(dialId(id)))?.timestamp).toBe(firstDial?.timestamp);
    expect(await alerts.undispatched()).toEqual([]);
  });

  it('dispatchAlerts hands over every alert in the outbox, oldest first, and leaves nothing behind', async () => {
    const { queues, alerts, deps } = setup();
    const t0 = Date.now() - 60_000;
    // Created out of order: the outbox orders by creation time, not by insertion.
    const middle = await alerts.createManual(doc('deal-m'), new Date(t0 + 1_000));
    const newest = await alerts.createManual(doc('deal-n'), new Date(t0 + 2_000));
    const oldest = await alerts.createManual(doc('deal-o'), new Date(t0));
    const handedOff = await alerts.createManual(doc('deal-h'), new Date(t0 - 1_000));
    await alerts.markDispatched(handedOff);

    expect(await dispatchAlerts(deps)).toEqual([oldest, middle, newest]);

    // The dialer takes them in that order too (BullMQ's wait list, first in first out).
    const dials = await queues.byName.dials.getJobs(['waiting'], 0, -1, true);
    expect(dials.map((j) => j.data.alertId)).toEqual([oldest, middle, newest]);
    for (const id of [oldest, middle, newest]) expect(await queues.byName.briefings.getJob(`brief-${id}`)).toBeTruthy();
    expect(await queues.byName.dials.getJob(dialId(handedOff))).toBeUndefined();
    expect(await queues.byName.briefings.count()).toBe(3);
    expect(await alerts.undispatched()).toEqual([]);
    expect(await dispatchAlerts(deps)).toEqual([]);
    expect(await queues.byName.dials.count()).toBe(3);
  });

  it('dispatchAlerts with a limit hands over the oldest first and leaves the rest for the next sweep', async () => {
    const { queues, alerts, deps } = setup();
    const t0 = Date.now() - 60_000;
    const second = await alerts.createManual(doc('deal-2'), new Date(t0 + 1_000));
    const first = await alerts.createManual(doc('deal-1'), new Date(t0));
    const third = await alerts.createManual(doc('deal-3'), new Date(t0 + 2_000));

    expect(await dispatchAlerts(deps, 2)).toEqual([first, second]);
    expect(await alerts.undispatched()).toEqual([third]);
    expect(await queues.byName.dials.getJob(dialId(third))).toBeUndefined();
    expect(await dispatchAlerts(deps, 2)).toEqual([third]);
    expect(await queues.byName.dials.count()).toBe(3);
  });
});
