import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createLogger } from '@dda/logger';
import { createMergeClient, type MergeClient } from '@dda/merge';
import { closeQueues, createQueues, type Queues } from '@dda/queues';
import { createAlertsRepository } from '@dda/store';
import { createMergeSimulator, makeOpportunity, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { buildCrmSeed, FIXTURE_IDS } from '@dda/sandbox/seed';
import { connectTestRedis, deleteKeys, uniquePrefix } from '@dda/testkit';
import { createBaselineGate, pollModifiedDeals, runBaseline } from '../src/index.ts';

const API_KEY = 'poll-merge-key';
const TOKEN = 'poll-account-token';
const rules = { alertStages: ['negotiation'], threshold: 50_000 };
const log = createLogger({ service: 'poll-test', level: 'silent' });

let redis: Redis;
let sim: MergeSimulator;
const prefixes: string[] = [];
const queueSets: Queues[] = [];
beforeAll(async () => {
  redis = await connectTestRedis();
  const seed = buildCrmSeed();
  const proposal = seed.stages.find((s) => /proposal/i.test(s.name ?? ''))!.id;
  const at = new Date(Date.now() - 86_400_000).toISOString();
  for (let i = 0; i < 25; i++) {
    seed.opportunities.push(
      makeOpportunity({
        id: `9011d000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        created_at: at,
        name: `Poll ${i}`,
        amount: 70_000,
        owner: FIXTURE_IDS.owner,
        account: FIXTURE_IDS.account,
        stage: proposal,
      }),
    );
  }
  sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN, seed, rateLimitPerMinute: 0 });
});
afterAll(async () => {
  for (const q of queueSets) await closeQueues(q);
  for (const p of prefixes) await deleteKeys(redis, p);
  await sim.close();
  redis.disconnect();
});

/** A client whose listing fails once after `okPages` pages, as a worker killed mid-run would stop. */
function failingAfter(merge: MergeClient, okPages: number): MergeClient {
  let pages = 0;
  return {
    ...merge,
    listOpportunities: async (q, call) => {
      if (pages++ === okPages) throw new Error('worker killed');
      return merge.listOpportunities(q, call);
    },
  };
}

function setup() {
  const prefix = uniquePrefix('poll');
  prefixes.push(prefix);
  const queues = createQueues(redis, prefix);
  queueSets.push(queues);
  const merge = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: TOKEN });
  const alerts = createAlertsRepository(redis, prefix);
  return { prefix, queues, merge, alerts };
}

describe('baseline and backstop poll: resumable, page by page', () => {
  it('a baseline cut short after its first page resumes there: every deal recorded once, the first page not listed again', async () => {
    const { prefix, merge, alerts } = setup();
    const base = { redis, prefix, alerts, rules, log, pageSize: 10 };
    await expect(runBaseline({ ...base, merge: failingAfter(merge, 1) })).rejects.toThrow('worker killed');
    sim.requests.length = 0;
    const res = await runBaseline({ ...base, merge });
    expect(res.state).toBe('done');
    expect(sim.requests.every((r) => r.query['cursor'])).toBe(true);
    const open = sim.listDeals().filter((d) => d.status === 'OPEN');
    for (const d of open) expect(await alerts.getSnapshot(d.id)).not.toBeNull();
  });

  it('a poll cut short resumes at its saved page with the same window, and a finished poll moves the window on', async () => {
    const { prefix, merge, alerts, queues } = setup();
    const gate = createBaselineGate({ merge, redis, prefix, alerts, rules, log });
    await gate.ready();
    for (let i = 0; i < 25; i++) sim.touchDeal(`9011d000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    // Ten a page: three pages of changes. The run dies after its first page (queued, cursor saved).
    const deps = { redis, prefix, queues, log, baseline: gate, pageSize: 10 };
    sim.requests.length = 0;
    await expect(pollModifiedDeals({ ...deps, merge: failingAfter(merge, 1) })).rejects.toThrow('worker killed');
    const window = sim.requests[0]?.query['modified_after'];
    expect(window).toBeTruthy();
    sim.requests.length = 0;
    const resumed = await pollModifiedDeals({ ...deps, merge });
    // The same window, from the saved page on: the first page is not listed again.
    expect(sim.requests[0]?.query).toMatchObject({ modified_after: window, cursor: expect.any(String) });
    expect(resumed.queued).toBeGreaterThanOrEqual(15);
    expect(await queues.byName['crm-events'].count()).toBeGreaterThanOrEqual(25);
    // Finished: the next run opens a new window after this one, and the same changes queue nothing new.
    sim.requests.length = 0;
    const next = await pollModifiedDeals({ ...deps, merge });
    expect(sim.requests[0]?.query['cursor']).toBeUndefined();
    expect(Date.parse(sim.requests[0]!.query['modified_after']!)).toBeGreaterThan(Date.parse(window!));
    expect(next.queued).toBe(0);
  });
});
