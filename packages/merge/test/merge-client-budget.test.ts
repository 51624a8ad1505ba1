import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectTestRedis, deleteKeys, uniquePrefix } from '@dda/testkit';
import { createMergeSimulator, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { FIXTURE_IDS } from '@dda/sandbox/seed';
import { createMergeBudget } from '../src/merge-budget.ts';
import { createMergeClient } from '../src/merge-client.ts';

const API_KEY = 'budget-merge-key';
const TOKEN = 'budget-account-token';
const LIMIT = 20;
// Two seconds, not one: the simulator counts on its own clock, and on a busy two-core machine a grant and
// Merge's count of it were seen up to ~300 ms apart; the guard below must cover that with room to spare.
const WINDOW_MS = 2000;

let redis: Redis;
let sim: MergeSimulator;
const prefix = uniquePrefix('mbudget');
const connections: Redis[] = [];
beforeAll(async () => {
  redis = await connectTestRedis();
  // Merge's limit, on a one-second window so the test runs in seconds rather than minutes.
  sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN, rateLimitPerMinute: LIMIT, rateLimitWindowMs: WINDOW_MS });
});
afterAll(async () => {
  await sim.close();
  for (const c of connections) c.disconnect();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('every Merge call path through the shared budget', () => {
  it('three replicas calling every endpoint at once, three times the limit: no 429, every call answered', async () => {
    const replicas = Array.from({ length: 3 }, () => {
      const c = redis.duplicate();
      connections.push(c);
      // The guard must exceed the worst delay between a grant and Merge counting the request. A real minute gets
      // 1.2 s; here the first burst opens 20 connections on a busy 2-core machine, which took up to ~300 ms.
      const budget = createMergeBudget({ redis: c, prefix, limitPerMinute: LIMIT, windowMs: WINDOW_MS, guardMs: 1000 });
      return createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: TOKEN, budget, maxRetries: 0 });
    });
    const paths = [
      (m: (typeof replicas)[number]) => m.getOpportunity(FIXTURE_IDS.deal),
      (m: (typeof replicas)[number]) => m.listNotes(FIXTURE_IDS.deal),
      (m: (typeof replicas)[number]) => m.listOpportunities({ pageSize: 5 }, { priority: 'poll' }),
      (m: (typeof replicas)[number]) => m.listOpportunities({ pageSize: 5 }, { priority: 'listing' }),
      (m: (typeof replicas)[number]) => m.getRecord('users', FIXTURE_IDS.owner),
      (m: (typeof replicas)[number]) => m.listStages({ priority: 'triage' }),
    ];
    const calls = Array.from({ length: LIMIT * 3 }, (_, i) => paths[i % paths.length]!(replicas[i % replicas.length]!));
    const t0 = Date.now();
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(sim.throttled()).toBe(0);
    expect(sim.requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(sim.requests).toHaveLength(LIMIT * 3);
    // Three limits' worth cannot go faster than two further windows.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2 * WINDOW_MS);
  }, 60_000);

  it('a 429 the budget did not foresee (another client of the same account) pauses the account and the call succeeds after it', async () => {
    const budget = createMergeBudget({ redis, prefix: `${prefix}-429`, limitPerMinute: 1000, pauseMs: 300 });
    let throttled = 0;
    const merge = createMergeClient({
      baseUrl: sim.url,
      apiKey: API_KEY,
      accountToken: TOKEN,
      budget: { ...budget, pause: (a, ms) => (throttled++, budget.pause(a, ms)) },
    });
    await new Promise((r) => setTimeout(r, WINDOW_MS + 50));
    sim.setFaults({ status: 429, count: 1 });
    const t0 = Date.now();
    await expect(merge.getOpportunity(FIXTURE_IDS.deal)).resolves.toMatchObject({ id: FIXTURE_IDS.deal });
    expect(throttled).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    sim.setFaults({});
  });
});
