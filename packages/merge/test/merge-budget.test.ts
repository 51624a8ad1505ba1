import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { connectTestRedis, deleteKeys, uniquePrefix } from '@dda/testkit';
import { createMergeBudget, MERGE_PRIORITIES, MergeBudgetTimeout, type MergePriority } from '../src/merge-budget.ts';

let redis: Redis;
const clients: Redis[] = [];
const prefixes: string[] = [];
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  for (const p of prefixes) await deleteKeys(redis, p);
  for (const c of clients) c.disconnect();
  redis.disconnect();
});

const fresh = () => {
  const p = uniquePrefix('budget');
  prefixes.push(p);
  return p;
};

/** The most grants inside any window of `windowMs` (grant times are Redis's clock, as the script saw it). */
function maxInAnyWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('the shared Merge budget', () => {
  it('several replicas (own connections) asking at once never exceed the limit in any rolling window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }), // replicas
        fc.integer({ min: 3, max: 12 }), // limit per window
        fc.array(fc.constantFrom(...MERGE_PRIORITIES), { minLength: 10, maxLength: 40 }),
        async (replicas, limit, asks) => {
          const prefix = fresh();
          const windowMs = 400;
          const budgets = Array.from({ length: replicas }, () => {
            const c = redis.duplicate();
            clients.push(c);
            return createMergeBudget({ redis: c, prefix, limitPerMinute: limit, windowMs });
          });
          const grants: number[] = [];
          await Promise.all(
            asks.map(async (priority, i) => {
              const g = await budgets[i % replicas]!.acquire('acct-1', priority);
              grants.push(g.at);
            }),
          );
          expect(grants).toHaveLength(asks.length);
          expect(maxInAnyWindow(grants, windowMs)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);

  it('when the budget is short, a waiting triage request goes before waiting poll requests', async () => {
    const prefix = fresh();
    const budget = createMergeBudget({ redis, prefix, limitPerMinute: 2, windowMs: 500 });
    await budget.acquire('a', 'triage');
    await budget.acquire('a', 'triage'); // the window is full now
    const order: MergePriority[] = [];
    const polls = Array.from({ length: 3 }, () => budget.acquire('a', 'poll').then(() => order.push('poll')));
    await new Promise((r) => setTimeout(r, 50)); // the polls are waiting first
    const triage = budget.acquire('a', 'triage').then(() => order.push('triage'));
    await Promise.all([...polls, triage]);
    expect(order[0]).toBe('triage');
  });

  it('a lower priority stops below its ceiling, so triage always finds room', async () => {
    const prefix = fresh();
    const budget = createMergeBudget({ redis, prefix, limitPerMinute: 10, windowMs: 60_000 });
    let listings = 0;
    for (;;) {
      try {
        await budget.acquire('a', 'listing', { maxWaitMs: 30 });
        listings++;
      } catch (err) {
        expect(err).toBeInstanceOf(MergeBudgetTimeout);
        break;
      }
    }
    expect(listings).toBe(5);
    const g = await budget.acquire('a', 'triage', { maxWaitMs: 30 });
    expect(g.remaining).toBe(4);
  });

  it('accounts have budgets of their own', async () => {
    const prefix = fresh();
    const budget = createMergeBudget({ redis, prefix, limitPerMinute: 1, windowMs: 60_000 });
    await budget.acquire('a', 'triage');
    await expect(budget.acquire('a', 'triage', { maxWaitMs: 50 })).rejects.toBeInstanceOf(MergeBudgetTimeout);
    await expect(budget.acquire('b', 'triage', { maxWaitMs: 50 })).resolves.toMatchObject({ remaining: 0 });
  });

  it('a 429 pauses the account for Retry-After, else for the default pause, for every replica', async () => {
    const prefix = fresh();
    const one = createMergeBudget({ redis, prefix, limitPerMinute: 100, pauseMs: 300 });
    const second = redis.duplicate();
    clients.push(second);
    const other = createMergeBudget({ redis: second, prefix, limitPerMinute: 100 });
    await one.pause('a', undefined);
    const t0 = Date.now();
    await other.acquire('a', 'triage');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await one.pause('a', 150);
    const t1 = Date.now();
    await other.acquire('a', 'triage');
    expect(Date.now() - t1).toBeGreaterThanOrEqual(100);
    expect(Date.now() - t1).toBeLessThan(280);
  });

  it('repeated 4xx block the account for a while; a few do not', async () => {
    const prefix = fresh();
    let blocked = 0;
    const budget = createMergeBudget({ redis, prefix, limitPerMinute: 100, failureThreshold: 5, blockMs: 400, onBlocked: () => blocked++ });
    for (let i = 0; i < 4; i++) await budget.failure('a');
    await expect(budget.acquire('a', 'triage', { maxWaitMs: 20 })).resolves.toBeDefined();
    await budget.failure('a');
    expect(blocked).toBe(1);
    await expect(budget.acquire('a', 'triage', { maxWaitMs: 100 })).rejects.toBeInstanceOf(MergeBudgetTimeout);
    await expect(budget.acquire('a', 'triage', { maxWaitMs: 1000 })).resolves.toBeDefined();
  });
});
