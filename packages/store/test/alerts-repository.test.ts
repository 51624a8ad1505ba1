import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import { createAlertsRepository, type NewAlert } from '../src/index.ts';

/* The alert store against real Redis: its Lua scripts are where "one alert per change" is enforced. */
let redis: Redis;
const prefix = uniquePrefix('store');
let alerts: ReturnType<typeof createAlertsRepository>;

beforeAll(async () => {
  redis = new Redis(await testRedisUrl());
  alerts = createAlertsRepository(redis, prefix);
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const doc = (source: NewAlert['source']): NewAlert => ({
  source,
  reason: 'moved from Proposal to alert stage Negotiation',
  reasons: ['entered_alert_stage'],
  deal: {
    id: 'deal-1',
    name: 'Expansion',
    amount: 185000,
    currency: null,
    stage: 'Negotiation',
    previous_stage: 'Proposal',
    account: 'Northwind',
    owner: null,
    close_date: null,
  },
});
const snapshot = {
  stage: 'negotiation',
  band: 'above' as const,
  amount: 185000,
  modifiedAt: '2026-12-01T00:00:00Z',
  seenAt: '2026-12-01T00:00:01Z',
};

describe('the alert store', () => {
  it('records a sighting once: racing writers of one change get created, then duplicate, then conflict on a stale version', async () => {
    const first = await alerts.recordSighting({
      dealId: 'deal-1',
      expectedVersion: 0,
      snapshot: snapshot,
      alert: { doc: doc('webhook'), changeKey: 'c1' },
    });
    expect(first.kind).toBe('created');
    const stale = await alerts.recordSighting({
      dealId: 'deal-1',
      expectedVersion: 0,
      snapshot: snapshot,
      alert: { doc: doc('webhook'), changeKey: 'c1' },
    });
    expect(stale.kind).toBe('conflict');
    const again = await alerts.recordSighting({
      dealId: 'deal-1',
      expectedVersion: 1,
      snapshot: snapshot,
      alert: { doc: doc('webhook'), changeKey: 'c1' },
    });
    expect(again).toEqual({ kind: 'duplicate', alertId: (first as { alertId: string }).alertId });
    expect(await alerts.recordSighting({ dealId: 'deal-1', expectedVersion: 2, snapshot: snapshot })).toEqual({ kind: 'unchanged' });
    expect((await alerts.getSnapshot('deal-1'))?.version).toBe(3);
  });

  it('a flapping deal within the cooldown does not alert again', async () => {
    const a = await alerts.recordSighting({
      dealId: 'deal-2',
      expectedVersion: 0,
      snapshot: snapshot,
      alert: { doc: doc('webhook'), changeKey: 'x' },
      cooldownSeconds: 60,
    });
    const b = await alerts.recordSighting({
      dealId: 'deal-2',
      expectedVersion: 1,
      snapshot: snapshot,
      alert: { doc: doc('webhook'), changeKey: 'y' },
      cooldownSeconds: 60,
    });
    expect(b).toEqual({ kind: 'cooldown', lastAlertId: (a as { alertId: string }).alertId });
  });

  it('a triaged and a manual alert are born the same way: hash, index, timeline, outbox, counter', async () => {
    const triaged = (await alerts.recordSighting({
      dealId: 'deal-3',
      expectedVersion: 0,
      snapshot: snapshot,
      alert: { doc: doc('poll'), changeKey: 'z' },
    })) as { alertId: string };
    const manual = await alerts.createManual(doc('manual'));
    for (const id of [triaged.alertId, manual]) {
      const a = (await alerts.get(id))!;
      expect(a).toMatchObject({ id, status: 'pending', outcome: null, talk_seconds: null });
      expect(a.timeline.map((t) => t.event)).toEqual(['alert.created']);
      expect(await alerts.undispatched(1000)).toContain(id);
    }
    const counter = await redis.hgetall(`${prefix}:metrics:dda_alerts_created_total`);
    expect(
      Object.values(counter)
        .map(Number)
        .reduce((x, y) => x + y, 0),
    ).toBeGreaterThanOrEqual(4);
  });

  it('the first outcome wins; the talk time completes a connected alert', async () => {
    const id = await alerts.createManual(doc('manual'));
    expect(await alerts.setOutcome(id, 'connected', null, 'calling')).toBe(true);
    expect(await alerts.setOutcome(id, 'failed', 'late event', 'failed')).toBe(false);
    await alerts.setTalkTime(id, 95);
    expect(await alerts.get(id)).toMatchObject({ outcome: 'connected', status: 'completed', talk_seconds: 95 });
  });
});
