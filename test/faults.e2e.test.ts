import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMergeBody } from '@dda/merge';
import { personas, type Persona } from '@dda/sandbox/telnyx-sim';
import { FIXTURE_IDS } from '@dda/sandbox/seed';
import { startOwnRedis, waitUntil, type OwnRedis } from '@dda/testkit';
import { AE, MERGE_WEBHOOK_KEY, startCallStack, VP, type CallStack } from './support/call-stack.ts';

/*
 * Faults against real processes and a Redis of the suite's own: workers killed with SIGKILL in the middle of
 * a job, Redis killed after it acknowledged a webhook, Redis down. Every alert must still reach an outcome
 * and nobody may be dialled twice.
 */

const DEAL = '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5';
let redis: OwnRedis;
let s: CallStack;

beforeAll(async () => {
  redis = await startOwnRedis();
  s = await startCallStack({
    redisUrl: redis.url,
    withBriefingWorker: true,
    aiLatencyMs: 1500,
    env: { JOB_LOCK_MS: '1500', ALERT_COOLDOWN_MINUTES: '0' },
  });
}, 90_000);
afterAll(async () => {
  await s?.close();
  await redis?.stop();
});

/** Real dials (not Telnyx-side duplicates of a resent command_id) per callee. */
function dialsTo(number: string): number {
  return s.telnyx.commands.filter((c) => c.action === 'dial' && !c.duplicate && c.to === number).length;
}
function assertNoCommandRepeated(): void {
  const ids = s.telnyx.commands.filter((c) => !c.duplicate).map((c) => c.commandId);
  expect(new Set(ids).size).toBe(ids.length);
}
async function deliver(body: string, signature: string): Promise<number> {
  const res = await fetch(`${s.base}/webhooks/crm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': signature },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
async function alertsOfDeal(dealId: string): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${s.base}/alerts?limit=200`, { headers: { authorization: 'Bearer calls-token-0123456789abcdef' } });
  return ((await res.json()) as { alerts: Array<Record<string, any>> }).alerts.filter((a) => a.deal.id === dealId);
}
async function resetCall(vp: Persona = personas.vpPressesOne, ae: Persona = personas.aeAccepts) {
  await s.telnyx.whenIdle();
  s.telnyx.setFaults({});
  s.telnyx.commands.length = 0;
  s.telnyx.setPersona(VP, vp);
  s.telnyx.setPersona(AE, ae);
}

describe('kill -9 a worker in the middle of each job type, then restart it', () => {
  it('dial: the VP is rung once and the alert still reaches its outcome', async () => {
    await resetCall(personas.vpDismisses);
    s.telnyx.setFaults({ commandLatencyMs: 1500 });
    const id = await s.raiseAlert();
    await waitUntil(async () => s.telnyx.commands.some((c) => c.action === 'dial'), 10_000, 'the dial to reach Telnyx');
    await s.kill9('dialer-worker');
    s.telnyx.setFaults({});
    await s.start('dialer-worker');
    const alert = await s.waitForOutcome(id, 30_000);
    expect(alert.outcome).toBe('acknowledged');
    expect(dialsTo(VP)).toBe(1);
    assertNoCommandRepeated();
  }, 90_000);

  it('call event: the conversation resumes where it stopped; VP and AE are each dialled once', async () => {
    // A VP patient enough to sit through the seconds the call-worker is down (the default hangs up on silence).
    await resetCall({ ...personas.vpPressesOne, hangupAfterIdleMs: 600_000 });
    const id = await s.raiseAlert();
    await waitUntil(async () => s.telnyx.commands.some((c) => c.action === 'speak'), 10_000, 'the headline');
    s.telnyx.setFaults({ commandLatencyMs: 1500 });
    // Killed while waiting on Telnyx's answer to the briefing prompt, with more commands decided after it.
    await waitUntil(async () => s.telnyx.commands.some((c) => c.action === 'gather_using_speak'), 10_000, 'the briefing prompt');
    await s.kill9('call-worker');
    s.telnyx.setFaults({});
    await s.start('call-worker');
    const alert = await s.waitForOutcome(id, 40_000);
    expect(alert.outcome).toBe('connected');
    expect(dialsTo(VP)).toBe(1);
    expect(dialsTo(AE)).toBe(1);
    assertNoCommandRepeated();
  }, 90_000);

  it('triage: the alert is created exactly once and called', async () => {
    await resetCall(personas.vpDismisses);
    s.merge.moveDeal(DEAL, 'Negotiation/Review');
    s.merge.setFaults({ latencyMs: 1500 });
    s.merge.requests.length = 0;
    // Triage decides from the webhook's record and asks Merge nothing; a record it cannot read makes it fetch
    // the deal, which keeps it in the middle of its job long enough to be killed there.
    const envelope = JSON.parse(s.merge.webhookFor(DEAL, 'Opportunity.changed', MERGE_WEBHOOK_KEY).body) as {
      data: Record<string, unknown>;
    };
    envelope.data['amount'] = 'unreadable';
    const body = JSON.stringify(envelope);
    expect(await deliver(body, signMergeBody(body, MERGE_WEBHOOK_KEY))).toBe(202);
    await waitUntil(
      async () => s.merge.requests.some((r) => r.path.startsWith('/crm/v1/opportunities/')) || undefined,
      10_000,
      'triage to ask Merge',
    );
    await s.kill9('briefing-worker');
    s.merge.setFaults({});
    await s.start('briefing-worker');
    const [alert] = await waitUntil(
      async () => {
        const list = await alertsOfDeal(DEAL);
        return list.length && list[0]!.outcome ? list : undefined;
      },
      30_000,
      'the deal alert to finish',
    );
    expect(await alertsOfDeal(DEAL)).toHaveLength(1);
    expect(alert!.outcome).toBe('acknowledged');
    expect(dialsTo(VP)).toBe(1);
  }, 90_000);
});

describe('kill -9 the briefing writer while it waits on the AI', () => {
  it('the briefing is written once after the restart and the call goes on regardless', async () => {
    await resetCall(personas.vpDismisses);
    const id = await s.raiseAlert();
    // The AI answers after 1.5 s: kill the writer while that request is in flight.
    await new Promise((r) => setTimeout(r, 500));
    expect((await s.alert(id)).briefing).toBeNull();
    await s.kill9('briefing-worker');
    await s.start('briefing-worker');
    const alert = await waitUntil(
      async () => {
        const a = await s.alert(id);
        return a.briefing && a.outcome ? a : undefined;
      },
      40_000,
      'the briefing and the outcome',
    );
    expect(alert.outcome).toBe('acknowledged');
    expect(alert.timeline.filter((t: { event: string }) => t.event === 'briefing.written')).toHaveLength(1);
    expect(dialsTo(VP)).toBe(1);
  }, 90_000);
});

describe('Redis failures', () => {
  it('kill -9 Redis after /webhooks/crm answered 202: the delivery survives in the AOF and becomes an alert', async () => {
    await resetCall(personas.vpDismisses);
    await s.kill9('briefing-worker');
    // Not a deal already in Negotiation at start: the first day's baseline recorded those, and moving one there is no change.
    const other = s.merge.listDeals().find((d) => d.id !== DEAL && d.status === 'OPEN' && d.stage !== FIXTURE_IDS.negotiationStage)!;
    s.merge.moveDeal(other.id, 'Negotiation/Review');
    const d = s.merge.webhookFor(other.id, 'Opportunity.changed', MERGE_WEBHOOK_KEY);
    expect(await deliver(d.body, d.signature)).toBe(202);
    await redis.kill9();
    await redis.start();
    await s.start('briefing-worker');
    const [alert] = await waitUntil(
      async () => {
        const list = await alertsOfDeal(other.id).catch(() => []);
        return list.length && list[0]!.outcome ? list : undefined;
      },
      40_000,
      'the alert after the Redis restart',
    );
    expect(alert!.outcome).toBe('acknowledged');
  }, 90_000);

  it('Redis down: the ingress answers 503 at once and /ready says so; after Redis returns everything works again', async () => {
    await redis.kill9();
    const started = Date.now();
    const body = JSON.stringify({
      hook: { id: 'down-test', event: 'Opportunity.changed' },
      linked_account: { id: 'la' },
      data: { id: DEAL },
    });
    expect(await deliver(body, signMergeBody(body, MERGE_WEBHOOK_KEY))).toBe(503);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await fetch(`${s.base}/ready`)).status).toBe(503);
    await redis.start();
    await waitUntil(async () => (await fetch(`${s.base}/ready`)).status === 200, 20_000, '/ready after Redis is back');
    await resetCall(personas.vpDismisses);
    const id = await s.raiseAlert();
    expect((await s.waitForOutcome(id, 30_000)).outcome).toBe('acknowledged');
  }, 90_000);
});
