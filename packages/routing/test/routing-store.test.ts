import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectTestRedis, deleteKeys, uniquePrefix } from '@dda/testkit';
import {
  createAlertPlans,
  createRoutingStore,
  currentRoutingSource,
  validateRouting,
  type DialPlan,
  type RoutingDocument,
} from '../src/index.ts';
import { goodDocument } from './routing-fixture.ts';

let redis: Redis;
const prefixes: string[] = [];
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  for (const p of prefixes) await deleteKeys(redis, p);
  redis.disconnect();
});
const fresh = () => {
  const p = uniquePrefix('routing');
  prefixes.push(p);
  return p;
};
const doc = (): RoutingDocument => {
  const v = validateRouting(structuredClone(goodDocument));
  if (!v.ok) throw new Error('fixture invalid');
  return v.routing;
};

describe('the routing store (real Redis)', () => {
  it('numbers versions, keeps each one, and writes a history line saying what changed', async () => {
    const store = createRoutingStore(redis, fresh());
    expect(await store.current()).toBeNull();
    const first = await store.save(doc(), { source: 'api' });
    expect(first).toEqual({ version: 1, changed: true });
    const second = doc();
    second.routes[0]!.call = ['vp'];
    second.recipients.push({ id: 'backup', name: 'Sam Ortiz', phone: '+15550100500', timezone: 'UTC', quiet_hours: '' });
    second.reps = [];
    expect(await store.save(second, { source: 'api' })).toEqual({ version: 2, changed: true });
    expect((await store.current())?.routing).toEqual(second);
    expect((await store.version(1))?.routing).toEqual(doc());
    const history = await store.history();
    expect(history.map((h) => [h.version, h.summary, h.source])).toEqual([
      [2, 'recipients +backup; routes ~big deals; reps −1', 'api'],
      [1, 'first version: 2 recipients, 2 routes, 1 rep', 'api'],
    ]);
    expect(Date.parse(history[0]!.saved_at)).toBeGreaterThan(0);
  });

  it('saving the same document again is not a new version', async () => {
    const store = createRoutingStore(redis, fresh());
    await store.save(doc(), { source: 'api' });
    expect(await store.save(doc(), { source: 'api' })).toEqual({ version: 1, changed: false });
    expect(await store.history()).toHaveLength(1);
  });

  it('two writers at once both land, one after the other, each summary against the version it replaced', async () => {
    const store = createRoutingStore(redis, fresh());
    await store.save(doc(), { source: 'api' });
    const a = doc();
    a.routes.reverse();
    const b = doc();
    b.recipients[1]!.name = 'Alex Kim-Park';
    const results = await Promise.all([store.save(a, { source: 'a' }), store.save(b, { source: 'b' })]);
    expect(results.map((r) => r.version).sort()).toEqual([2, 3]);
    expect((await store.history()).map((h) => h.version)).toEqual([3, 2, 1]);
  });

  it('ROUTING_FILE is applied when the file changed, not on every boot', async () => {
    const store = createRoutingStore(redis, fresh());
    expect(await store.applyFile(doc(), 'text-1')).toMatchObject({ version: 1, changed: true });
    const api = doc();
    api.routes.pop();
    await store.save(api, { source: 'api' });
    // Same file at the next boot: the API's change stays.
    expect(await store.applyFile(doc(), 'text-1')).toMatchObject({ version: 2, skipped: true });
    // The file was edited: it wins.
    expect(await store.applyFile(doc(), 'text-2')).toMatchObject({ version: 3, changed: true });
    expect((await store.history())[0]?.source).toBe('ROUTING_FILE');
  });

  it("the routing in force falls back to the environment's, as version 0", async () => {
    const store = createRoutingStore(redis, fresh());
    const envDoc = { ...doc(), routes: [doc().routes[1]!] };
    const current = currentRoutingSource(store, envDoc);
    expect(await current()).toEqual({ version: 0, routing: envDoc, source: 'environment' });
    await store.save(doc(), { source: 'api' });
    expect(await current()).toMatchObject({ version: 1, source: 'document' });
  });

  it("an alert's plan is fixed by the first claim", async () => {
    const plans = createAlertPlans(redis, fresh());
    const p1: DialPlan = { route: 'a', version: 1, call: [], ae: null };
    const p2: DialPlan = { route: 'b', version: 2, call: [], ae: null };
    expect(await plans.claim('al_1', p1)).toEqual({ plan: p1, claimed: true });
    expect(await plans.claim('al_1', p2)).toEqual({ plan: p1, claimed: false });
    expect(await plans.get('al_1')).toEqual(p1);
    expect(await plans.get('al_2')).toBeNull();
  });
});
