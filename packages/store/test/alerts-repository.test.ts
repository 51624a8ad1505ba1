import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createWorkerConnection, type RedisClient } from '@dda/redis';
import { deleteKeys, startRedisCluster, testRedisUrl, uniquePrefix, type RedisCluster } from '@dda/testkit';
import { metricKey } from '@dda/metrics';
import { createAlertsRepository, type NewAlert } from '../src/index.ts';

/*
 * The alert store against real Redis: its Lua scripts are where "one alert per change" is enforced. Every
 * case runs on one node and on a three-master Redis Cluster, where a script or MULTI over keys of two slots
 * is refused (CROSSSLOT): the shards' hash tags are what keeps each of them in one slot.
 */

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

describe.each(['one node', 'a three-master Redis Cluster'])('the alert store on %s', (topology) => {
  let redis: RedisClient;
  let cluster: RedisCluster | undefined;
  const prefix = uniquePrefix('store');
  let alerts: ReturnType<typeof createAlertsRepository>;

  beforeAll(async () => {
    if (topology === 'one node') redis = new Redis(await testRedisUrl());
    else {
      cluster = await startRedisCluster();
      redis = createWorkerConnection(`redis-cluster://${cluster.nodes}`);
    }
    alerts = createAlertsRepository(redis, prefix);
  }, 60_000);
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await cluster?.stop();
  });

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
    const counter = await redis.hgetall(metricKey(prefix, 'dda_alerts_created_total'));
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

  it('lists newest first and dispatches oldest first across the shards, page by page', async () => {
    const made: string[] = [];
    for (let i = 0; i < 40; i++)
      made.push(
        await alerts.createManual(
          { ...doc('manual'), deal: { ...doc('manual').deal, id: `list-${i}` } },
          new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
        ),
      );
    // Forty deals reach every one of the sixteen shards (their ids end with the shard's digit).
    expect(new Set(made.map((id) => id.at(-1))).size).toBeGreaterThan(8);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await alerts.list({ limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.alerts.map((a) => a.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const newest = seen.filter((id) => made.includes(id));
    expect(newest).toEqual([...made].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const undispatched = (await alerts.undispatched(1000)).filter((id) => made.includes(id));
    expect(undispatched).toEqual(made);
    await alerts.markDispatched(made[0]!);
    expect(await alerts.undispatched(1000)).not.toContain(made[0]);
    expect((await alerts.counts()).alerts).toBe(seen.length);
  });
});
