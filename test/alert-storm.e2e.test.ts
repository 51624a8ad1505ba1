import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { queuePrefix } from '@dda/queues';
import { personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { MERGE_WEBHOOK_KEY, startCallStack, TOKEN, VP, type CallStack } from './support/call-stack.ts';
import { stormDealId, stormSeed } from './support/storm-seed.ts';

const DEALS = Number(process.env.STORM_DEALS ?? 1000);
const COPIES = 10;

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack({ mergeSeed: stormSeed(DEALS), withBriefingWorker: true });
  s.telnyx.setPersona(VP, personas.vpDismisses);
}, 90_000);
afterAll(async () => s?.close());

async function allAlerts(): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(`${s.base}/alerts?limit=200${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const page = (await res.json()) as { alerts: Array<Record<string, any>>; next_cursor: string | null };
    out.push(...page.alerts);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

describe('an alert storm: 1,000 deals moved in one bulk update, each delivered 10 times at once', () => {
  it('creates exactly one alert per deal, rings the VP with digests rather than once per deal, and gives every alert an outcome', async () => {
    const deliveries: { body: string; signature: string }[] = [];
    for (let i = 0; i < DEALS; i++) {
      s.merge.moveDeal(stormDealId(i), 'Negotiation/Review');
      const d = s.merge.webhookFor(stormDealId(i), 'Opportunity.changed', MERGE_WEBHOOK_KEY);
      for (let c = 0; c < COPIES; c++) deliveries.push(d);
    }
    // Shuffle so copies of one delivery race each other and other deals.
    deliveries.sort(() => Math.random() - 0.5);
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < deliveries.length) {
          const d = deliveries[next++]!;
          const res = await fetch(`${s.base}/webhooks/crm`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature },
            body: d.body,
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    expect(statuses.get(202)).toBe(DEALS);
    expect(statuses.get(200)).toBe(DEALS * (COPIES - 1));

    const crm = new Queue('crm-events', { connection: s.redis, prefix: queuePrefix(s.prefix, 'crm-events') });
    await waitUntil(async () => ((await crm.getJobCounts('completed')).completed ?? 0) >= DEALS, 120_000, 'triage of every delivery');
    await crm.close();
    let last: Array<Record<string, any>> = [];
    const finished = await waitUntil(
      async () => {
        last = await allAlerts();
        return last.length === DEALS && last.every((a) => a.outcome) ? last : undefined;
      },
      120_000,
      'an outcome for every alert',
    ).catch((err: Error) => {
      const stuck = last
        .filter((a) => !a.outcome)
        .slice(0, 3)
        .map((a) => ({ status: a.status, timeline: a.timeline.map((t: { event: string }) => t.event) }));
      throw new Error(
        `${err.message}: ${last.filter((a) => !a.outcome).length} of ${last.length} without outcome, e.g. ${JSON.stringify(stuck)}`,
      );
    });

    expect(finished).toHaveLength(DEALS);
    expect(new Set(finished.map((a) => a.deal.id)).size).toBe(DEALS);
    const vpDials = s.telnyx.commands.filter((c) => c.action === 'dial' && !c.duplicate && c.to === VP).length;
    // While a call is live the rest wait and then come as one digest: calls follow the pace of triage, not
    // one per deal (about 20 for 1,000 deals arriving over ~40 s here).
    expect(vpDials).toBeGreaterThanOrEqual(2);
    expect(vpDials).toBeLessThanOrEqual(Math.ceil(DEALS / 20));
    // Every alert was part of exactly one call.
    for (const a of finished) expect(a.timeline.filter((t: { event: string }) => t.event === 'call.dialing')).toHaveLength(1);
    // A digest call opens with the count and leads with the largest deal of its group.
    const primary = finished.find((a) =>
      a.timeline.some(
        (t: { event: string; prompt?: string; text?: string }) =>
          t.event === 'said' && t.prompt === 'headline' && /new deal alerts/.test(t.text ?? ''),
      ),
    );
    expect(primary).toBeDefined();
    const headline = primary!.timeline.find((t: { prompt?: string }) => t.prompt === 'headline');
    expect(headline.text).toMatch(/^You have .+ new deal alerts\. The largest first\./);
    const callId = primary!.timeline.find((t: { event: string }) => t.event === 'call.dialing').call_id;
    const group = finished.filter((a) =>
      a.timeline.some((t: { event: string; call_id?: string }) => t.event === 'call.dialing' && t.call_id === callId),
    );
    expect(group.length).toBeGreaterThan(1);
    expect(Math.max(...group.map((a) => a.deal.amount))).toBe(primary!.deal.amount);
    // Within Merge's 100 requests a minute: no 429, and triage decided from the webhooks' own records (the
    // baseline's pages and the name caches are all it asked for; notes are asked only as the budget allows).
    expect(s.merge.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(s.merge.requests.filter((r) => /^\/crm\/v1\/opportunities\/./.test(r.path))).toEqual([]);
    expect(s.merge.requests.filter((r) => r.path !== '/crm/v1/notes').length).toBeLessThanOrEqual(30);
  }, 300_000);
});
