import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { queueKey } from '@dda/queues';
import { AE, MERGE_WEBHOOK_KEY, startCallStack, VP, type CallStack } from './support/call-stack.ts';

const DEAL = '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5';

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack({ withBriefingWorker: true });
}, 60_000);
afterAll(async () => s?.close());

/** Every BullMQ job hash under the stack's prefix (a hash with `name` and `data`), field by field. */
async function jobHashes(): Promise<{ key: string; fields: Record<string, string> }[]> {
  const out: { key: string; fields: Record<string, string> }[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await s.redis.scan(cursor, 'MATCH', `${s.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if ((await s.redis.type(key)) !== 'hash') continue;
      const fields = await s.redis.hgetall(key);
      if ('data' in fields && 'name' in fields) out.push({ key, fields });
    }
  } while (cursor !== '0');
  return out;
}

describe('job payloads at rest', () => {
  it('a full sandbox call leaves no phone number and no transcript in any job in Redis', async () => {
    s.telnyx.setPersona(VP, personas.vpSaysRepeatThenConnect);
    s.telnyx.setPersona(AE, personas.aeAccepts);
    s.merge.moveDeal(DEAL, 'Negotiation/Review');
    const d = s.merge.webhookFor(DEAL, 'Opportunity.changed', MERGE_WEBHOOK_KEY);
    const res = await fetch(`${s.base}/webhooks/crm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature },
      body: d.body,
    });
    expect(res.status).toBe(202);
    await waitUntil(async () => s.telnyx.commands.some((c) => c.action === 'bridge') || undefined, 30_000, 'the bridge');
    await s.telnyx.whenIdle({ minCalls: 2 });

    // The words did reach the worker: they are on the alert's timeline, their one home.
    const said = personas.vpSaysRepeatThenConnect.responses!.map((r) => ('say' in r ? r.say : '')).filter(Boolean) as string[];
    expect(said.length).toBe(2);
    const alertIds = await waitUntil(
      async () => {
        const list = (await (await fetch(`${s.base}/alerts`, { headers: { authorization: `Bearer ${s.env.API_TOKEN}` } })).json()) as {
          alerts: { id: string }[];
        };
        return list.alerts.length ? list.alerts.map((a) => a.id) : undefined;
      },
      10_000,
      'the alert',
    );
    const timeline = JSON.stringify(await s.alert(alertIds[0]!));
    for (const words of said) expect(timeline).toContain(words);

    // Every call event has been handled (nothing waiting or running), so nothing is legitimately in flight.
    await waitUntil(
      async () => {
        const c = await s.redis.llen(queueKey(s.prefix, 'call-events', 'wait'));
        const a = await s.redis.llen(queueKey(s.prefix, 'call-events', 'active'));
        return c + a === 0 || undefined;
      },
      10_000,
      'call-events drained',
    );

    const jobs = await jobHashes();
    const callEventJobs = jobs.filter((j) => j.key.startsWith(queueKey(s.prefix, 'call-events', '')));
    expect(callEventJobs.length).toBeGreaterThan(10); // the call's events are retained (for an hour), trimmed
    expect(callEventJobs.some((j) => j.fields['data']!.includes('transcript_key'))).toBe(true);

    const phones = [VP, AE, s.env.VP_SALES_NUMBER!].flatMap((n) => [n, n.slice(1), n.slice(2)]);
    const leaks = jobs.flatMap((j) =>
      Object.entries(j.fields)
        .filter(([, v]) => phones.some((p) => v.includes(p)) || said.some((w) => v.toLowerCase().includes(w.toLowerCase())))
        .map(([f, v]) => `${j.key} ${f}: ${v.slice(0, 200)}`),
    );
    expect(leaks).toEqual([]);
    // And the words are not waiting under their side keys either: the worker deleted each once on the timeline.
    const [, transcriptKeys] = await s.redis.scan('0', 'MATCH', queueKey(s.prefix, 'call-events', 'transcript:*'), 'COUNT', 10_000);
    expect(transcriptKeys).toEqual([]);
  });
});
