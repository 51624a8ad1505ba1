import { afterEach, describe, expect, it } from 'vitest';
import { createMergeClient, MergeApiError, toDealView } from '@dda/merge';
import { FIXTURE_IDS } from '@dda/sandbox/seed';
import { createMergeSimulator, type MergeSimulator } from '../src/merge-sim/index.ts';

const API_KEY = 'reality-merge-key';
const TOKEN = 'reality-account-token';
const COLD_CHAIN = 'd3b7f915-4e2a-4c80-a6d9-7b1f5e3c9a82';
let sim: MergeSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const get = (path: string, token = TOKEN) =>
  fetch(`${sim!.url}${path}`, { headers: { authorization: `Bearer ${API_KEY}`, 'x-account-token': token } });

describe('the Merge simulator behaves as Merge really does (docs/vendor-facts.md)', () => {
  it('limits each account token to 100 requests in a rolling minute by default, with Retry-After on only some 429s', async () => {
    sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN });
    const statuses = await Promise.all(
      Array.from({ length: 104 }, () =>
        get('/crm/v1/stages').then((r) => ({ status: r.status, retryAfter: r.headers.get('retry-after') })),
      ),
    );
    expect(statuses.filter((s) => s.status === 200)).toHaveLength(100);
    const throttled = statuses.filter((s) => s.status === 429);
    expect(throttled).toHaveLength(4);
    expect(throttled.filter((s) => s.retryAfter !== null).length).toBe(2);
    expect(sim.throttled()).toBe(4);
    // Another account token is another budget (it is refused for its credentials here, not throttled).
    expect((await get('/crm/v1/stages', 'other-token')).status).toBe(401);
  });

  it('a status outside the enum and amount null travel as they are', async () => {
    sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN, rateLimitPerMinute: 0 });
    sim.setStatus(FIXTURE_IDS.deal, 'PENDING');
    sim.setAmount(FIXTURE_IDS.deal, null);
    const raw = (await (await get(`/crm/v1/opportunities/${FIXTURE_IDS.deal}`)).json()) as Record<string, unknown>;
    expect(raw).toMatchObject({ status: 'PENDING', amount: null });
    const merge = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: TOKEN });
    expect(toDealView(await merge.getOpportunity(FIXTURE_IDS.deal))).toMatchObject({ status: 'OPEN', amount: null });
  });

  it('in 404 mode a removed deal is gone: 404, and the client does not retry it', async () => {
    sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN, removedDeals: '404', rateLimitPerMinute: 0 });
    sim.removeDeal(FIXTURE_IDS.deal);
    const merge = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: TOKEN, baseDelayMs: 1 });
    const err = await merge.getOpportunity(FIXTURE_IDS.deal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MergeApiError);
    expect((err as MergeApiError).status).toBe(404);
    expect(sim.requests.filter((r) => r.path.includes(FIXTURE_IDS.deal))).toHaveLength(1);
  });

  it('lists notes in sync order; the client sorts them into CRM order itself', async () => {
    sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN, rateLimitPerMinute: 0 });
    const page = (await (await get(`/crm/v1/notes?opportunity_id=${COLD_CHAIN}`)).json()) as {
      results: { content: string; remote_created_at: string }[];
    };
    const remote = page.results.map((n) => Date.parse(n.remote_created_at));
    expect([...remote].sort((a, b) => b - a)).not.toEqual(remote); // Merge's order is not the CRM's
    const merge = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: TOKEN });
    const notes = await merge.listNotes(COLD_CHAIN, 5);
    const times = notes.map((n) => Date.parse(n.remote_created_at ?? ''));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(notes.at(-1)?.content).toMatch(/^Intro call/);
    expect(await merge.listNotes(COLD_CHAIN, 2)).toHaveLength(2);
  });

  it('paginates for real: every deal once across pages; a record we cannot read is skipped, not fatal', async () => {
    sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN, rateLimitPerMinute: 0 });
    sim.putRawOpportunity({ id: '0bad0000-0000-4000-8000-000000000001', name: 'Broken', amount: 'lots', status: 'OPEN' });
    const merge = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: TOKEN });
    const seen: string[] = [];
    const skipped: (string | null)[] = [];
    let cursor: string | undefined;
    do {
      const page = await merge.listOpportunities({ pageSize: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.results.map((o) => o.id));
      skipped.push(...page.skipped.map((s) => s.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(sim.listDeals().length - 1);
    expect(skipped).toEqual(['0bad0000-0000-4000-8000-000000000001']);
  });
});
