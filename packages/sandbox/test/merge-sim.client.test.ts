import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMergeClient, MergeApiError, toDealView, verifyMergeSignature, type MergeClient } from '@dda/merge';
import { createMergeSimulator, type MergeSimulator } from '../src/merge-sim/index.ts';
import { FIXTURE_IDS } from '../src/seed/index.ts';

const API_KEY = 'merge-test-key';
const ACCOUNT_TOKEN = 'account-token-northwind';

let sim: MergeSimulator;
let merge: MergeClient;
beforeEach(async () => {
  sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: ACCOUNT_TOKEN });
  merge = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: ACCOUNT_TOKEN, baseDelayMs: 5 });
});
afterEach(() => sim.close());

describe('@dda/merge client against the simulator', () => {
  it('reads the fixture deal expanded, then sees the demo stage move', async () => {
    const before = toDealView(await merge.getOpportunity(FIXTURE_IDS.deal));
    expect(before).toMatchObject({
      name: 'Northwind - Platform Expansion FY26',
      amount: 185000,
      stage: 'Proposal/Price Quote',
      status: 'OPEN',
      account: 'Northwind Traders',
      owner: { name: 'Dana Whitfield', email: 'dana.whitfield@northwind.example' },
      deleted: false,
    });
    const moved = sim.moveDeal(FIXTURE_IDS.deal, 'Negotiation/Review');
    const after = toDealView(await merge.getOpportunity(FIXTURE_IDS.deal));
    expect(after.stage).toBe('Negotiation/Review');
    expect(after.modifiedAt).toBe(moved.modified_at);
    expect(Date.parse(after.modifiedAt ?? '')).toBeGreaterThan(Date.parse(before.modifiedAt ?? ''));
  });

  it('pages through every live deal with cursors, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await merge.listOpportunities({ pageSize: 2, ...(cursor ? { cursor } : {}) });
      expect(page.results.length).toBeLessThanOrEqual(2);
      if (pages > 0) expect(page.previous).toBeTruthy();
      seen.push(...page.results.map((o) => o.id));
      cursor = page.next ?? undefined;
      pages++;
    } while (cursor);
    const live = sim
      .listDeals()
      .filter((d) => !d.remote_was_deleted)
      .map((d) => d.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...live].sort());
    expect(pages).toBe(Math.ceil(live.length / 2));
  });

  it('walks back with the previous cursor to the same page', async () => {
    const first = await merge.listOpportunities({ pageSize: 3 });
    const second = await merge.listOpportunities({ pageSize: 3, cursor: first.next ?? '' });
    const back = await merge.listOpportunities({ pageSize: 3, cursor: second.previous ?? '' });
    expect(back.results.map((o) => o.id)).toEqual(first.results.map((o) => o.id));
  });

  it('lists only deals modified strictly after modified_after', async () => {
    const since = new Date().toISOString();
    await sleep(5);
    sim.setAmount(FIXTURE_IDS.deal, 210000);
    const page = await merge.listOpportunities({ modifiedAfter: since });
    expect(page.results.map((o) => o.id)).toEqual([FIXTURE_IDS.deal]);
    expect(page.results[0]?.amount).toBe(210000);
    const exact = await merge.listOpportunities({ modifiedAfter: page.results[0]?.modified_at ?? '' });
    expect(exact.results).toEqual([]);
  });

  it('hides removed deals from lists but still answers for them by id', async () => {
    sim.removeDeal(FIXTURE_IDS.deal);
    const page = await merge.listOpportunities();
    expect(page.results.map((o) => o.id)).not.toContain(FIXTURE_IDS.deal);
    expect(toDealView(await merge.getOpportunity(FIXTURE_IDS.deal)).deleted).toBe(true);
  });

  it('lists a deal’s notes newest first, honouring page_size', async () => {
    const notes = await merge.listNotes(FIXTURE_IDS.deal, 5);
    expect(notes.length).toBeGreaterThanOrEqual(2);
    expect(notes[0]?.content).toBe('Moved to Negotiation/Review after verbal from CFO. Risk: competitor quoted 15% lower.');
    const times = notes.map((n) => Date.parse(n.remote_created_at ?? ''));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(await merge.listNotes(FIXTURE_IDS.deal, 1)).toHaveLength(1);
  });

  it('has a deal without notes and a deal without a close date', async () => {
    const deals = sim.listDeals();
    const counts = await Promise.all(deals.map(async (d) => (await merge.listNotes(d.id, 10)).length));
    expect(counts).toContain(0);
    expect(deals.some((d) => d.close_date === null)).toBe(true);
  });

  it('answers 404 for an unknown deal', async () => {
    await expect(merge.getOpportunity('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
  });
});

describe('authentication', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['no Authorization', { 'x-account-token': ACCOUNT_TOKEN }],
    ['wrong API key', { authorization: 'Bearer not-the-key', 'x-account-token': ACCOUNT_TOKEN }],
    ['no X-Account-Token', { authorization: `Bearer ${API_KEY}` }],
    ['wrong X-Account-Token', { authorization: `Bearer ${API_KEY}`, 'x-account-token': 'someone-else' }],
  ];
  it.each(cases)('%s → 401 with a detail', async (_name, headers) => {
    const res = await fetch(`${sim.url}/crm/v1/opportunities/${FIXTURE_IDS.deal}`, { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: expect.any(String) });
  });

  it('lets the client through with both headers', async () => {
    await expect(merge.getOpportunity(FIXTURE_IDS.deal)).resolves.toMatchObject({ id: FIXTURE_IDS.deal });
    expect(sim.requests.map((r) => r.status)).toEqual([200]);
  });
});

describe('faults', () => {
  it('a 429 with Retry-After is retried by the client after the wait', async () => {
    sim.setFaults({ status: 429, count: 1, retryAfterSeconds: 1 });
    const started = performance.now();
    await expect(merge.getOpportunity(FIXTURE_IDS.deal)).resolves.toMatchObject({ id: FIXTURE_IDS.deal });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(sim.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('5xx faults fail exactly `count` requests', async () => {
    sim.setFaults({ status: 503, count: 2 });
    await expect(merge.listNotes(FIXTURE_IDS.deal)).resolves.not.toHaveLength(0);
    expect(sim.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('the client gives up when faults outlast its retries', async () => {
    sim.setFaults({ status: 500, count: 5 });
    const impatient = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: ACCOUNT_TOKEN, baseDelayMs: 1, maxRetries: 1 });
    const err = await impatient.getOpportunity(FIXTURE_IDS.deal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MergeApiError);
    expect((err as MergeApiError).status).toBe(500);
  });

  it('latency delays every answer until cleared', async () => {
    sim.setFaults({ latencyMs: 150 });
    let started = performance.now();
    await merge.getOpportunity(FIXTURE_IDS.deal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    sim.setFaults({});
    started = performance.now();
    await merge.getOpportunity(FIXTURE_IDS.deal);
    expect(performance.now() - started).toBeLessThan(145);
  });
});

describe('control over HTTP (/_sim)', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${sim.url}/_sim${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('moves a deal and sets its amount', async () => {
    expect((await post(`/deals/${FIXTURE_IDS.deal}/move`, { stage: 'Negotiation/Review' })).status).toBe(200);
    expect((await post(`/deals/${FIXTURE_IDS.deal}/amount`, { amount: 40000 })).status).toBe(200);
    expect(toDealView(await merge.getOpportunity(FIXTURE_IDS.deal))).toMatchObject({ stage: 'Negotiation/Review', amount: 40000 });
  });

  it('rejects unknown stages and deals', async () => {
    expect((await post(`/deals/${FIXTURE_IDS.deal}/move`, { stage: 'Verbal Commit' })).status).toBe(400);
    expect((await post('/deals/00000000-0000-4000-8000-000000000000/move', { stage: 'Closed Won' })).status).toBe(404);
  });

  it('sets faults', async () => {
    expect((await post('/faults', { status: 503, count: 1 })).status).toBe(200);
    const res = await fetch(`${sim.url}/crm/v1/users/${FIXTURE_IDS.owner}`, {
      headers: { authorization: `Bearer ${API_KEY}`, 'x-account-token': ACCOUNT_TOKEN },
    });
    expect(res.status).toBe(503);
    expect((await post('/faults', { status: 418 })).status).toBe(400);
  });

  it('delivers a signed webhook to a receiver, byte for byte', async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
    const receiver = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(parts) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/crm`;
    try {
      const res = await post(`/deals/${FIXTURE_IDS.deal}/webhook`, { event: 'Opportunity.changed', key: 'whsec', deliver_to: target });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { response: { status: number } }).response.status).toBe(202);
      const [got] = received;
      expect(verifyMergeSignature(got?.body ?? Buffer.alloc(0), String(got?.headers['x-merge-webhook-signature']), ['whsec'])).toBe(true);
      expect(JSON.parse(String(got?.body)).hook.target).toBe(target);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
