import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { personas } from '@dda/sandbox/telnyx-sim';
import { readServerSentEvents, startRedisCluster, waitUntil, type RedisCluster } from '@dda/testkit';
import { AE, MERGE_WEBHOOK_KEY, startCallStack, TOKEN, VP, type CallStack } from './support/call-stack.ts';
import { stormDealId, stormSeed } from './support/storm-seed.ts';

/*
 * All four services on a three-master Redis Cluster (real redis-servers on loopback, `redis-cli --cluster
 * create`), given REDIS_CLUSTER_NODES instead of REDIS_URL. Redis refuses any script, MULTI or pipeline
 * whose keys span slots (CROSSSLOT), so a key owner that forgot its hash tag fails here, not in production.
 */
const DEALS = 6;
const OUR_NUMBER = '+15550100000';

let cluster: RedisCluster;
let s: CallStack;
let base: string;

beforeAll(async () => {
  cluster = await startRedisCluster();
  s = await startCallStack({
    redisTopology: { env: { REDIS_CLUSTER_NODES: cluster.nodes }, address: `redis-cluster://${cluster.nodes}` },
    withBriefingWorker: true,
    mergeSeed: stormSeed(DEALS + 1),
    env: { TELNYX_MESSAGING_PROFILE_ID: 'cl-profile', TELNYX_PHONE_NUMBER: OUR_NUMBER },
  });
  base = s.base;
  s.telnyx.setPersona(VP, personas.vpSaysConnect);
  s.telnyx.setPersona(AE, personas.aeAccepts);
}, 120_000);

afterAll(async () => {
  await s?.close();
  await cluster?.stop();
});

async function deliver(d: { body: string; signature: string }): Promise<number> {
  const res = await fetch(`${base}/webhooks/crm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature },
    body: d.body,
  });
  await res.arrayBuffer();
  return res.status;
}

async function alertsOf(dealId: string): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${base}/alerts?limit=200`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { alerts: Array<Record<string, any>> }).alerts.filter((a) => a.deal.id === dealId);
}

/** Warnings and errors the services logged: a CROSSSLOT would show here first. */
function problems(): string[] {
  return s.services.flatMap((svc) =>
    svc.lines.filter((l) => /"level":"(warn|error|fatal)"|CROSSSLOT/.test(l)).map((l) => `${svc.name}: ${l.slice(0, 300)}`),
  );
}

describe('Redis Cluster: three masters under all four services', () => {
  it('the intake: one alert through five redeliveries, and its call connects', async () => {
    const dealId = stormDealId(0);
    s.merge.moveDeal(dealId, 'Negotiation/Review');
    const delivery = s.merge.webhookFor(dealId, 'Opportunity.changed', MERGE_WEBHOOK_KEY);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await deliver(delivery));
    expect(statuses).toEqual([202, 200, 200, 200, 200]);

    const alert = await waitUntil(
      async () => {
        const mine = await alertsOf(dealId);
        return mine.length === 1 && mine[0]!.talk_seconds !== null ? mine[0] : undefined;
      },
      60_000,
      'the alert to connect and its talk time',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${problems().slice(-15).join('\n')}`);
    });
    expect(alert.outcome).toBe('connected');
    const events = alert.timeline.map((t: { event: string }) => t.event);
    expect(events).toContain('bridged');
    expect(events.filter((e: string) => e === 'call.dialing')).toHaveLength(1);
    expect(await alertsOf(dealId)).toHaveLength(1);
    const ae = s.telnyx.commands.filter((c) => c.action === 'dial' && !c.duplicate && c.to === AE);
    expect(ae).toHaveLength(1);
  }, 90_000);

  it('the other deals alert once each, /events tells of each, and every master holds a share of the keys', async () => {
    // Alerts publish their changes from scripts on whichever master holds them; the page's stream hears them all.
    const stream = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(stream.status).toBe(200);
    const created = (events: { event: string; data: string }[]) =>
      events.filter((e) => e.event === 'alert').filter((e) => (JSON.parse(e.data) as { change: string }).change === 'created');
    const heard = readServerSentEvents(stream, (events) => created(events).length >= DEALS - 1, 60_000);
    const ids = Array.from({ length: DEALS - 1 }, (_, i) => stormDealId(i + 1));
    const deliveries = ids.map((id) => {
      s.merge.moveDeal(id, 'Negotiation/Review');
      return s.merge.webhookFor(id, 'Opportunity.changed', MERGE_WEBHOOK_KEY);
    });
    expect(await Promise.all(deliveries.map(deliver))).toEqual(deliveries.map(() => 202));
    expect(await Promise.all(deliveries.map(deliver))).toEqual(deliveries.map(() => 200));
    for (const id of ids)
      await waitUntil(async () => ((await alertsOf(id))[0]?.outcome ? true : undefined), 60_000, `an outcome for ${id}`).catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${problems().slice(-15).join('\n')}`);
        },
      );
    for (const id of ids) expect(await alertsOf(id)).toHaveLength(1);
    const { events, reader } = await heard;
    await reader.cancel();
    const alertIds = await Promise.all(ids.map(async (id) => (await alertsOf(id))[0]!.id as string));
    expect(new Set(created(events).map((e) => (JSON.parse(e.data) as { id: string }).id))).toEqual(new Set(alertIds));

    const sizes = await Promise.all(
      cluster.ports.map(async (port) => {
        const r = new Redis({ port, host: '127.0.0.1' });
        try {
          return await r.dbsize();
        } finally {
          r.disconnect();
        }
      }),
    );
    expect(
      sizes.every((n) => n > 0),
      `keys per master: ${sizes.join(', ')}`,
    ).toBe(true);
    expect(problems().filter((l) => /CROSSSLOT/.test(l))).toEqual([]);
  }, 120_000);

  it('a VP the calls did not reach gets one text, its delivery reaches the alert, and their call back connects', async () => {
    const dealId = stormDealId(DEALS);
    s.telnyx.setPersona(VP, personas.vpNoAnswer);
    const before = s.telnyx.messages().filter((m) => m.to === VP).length;
    s.merge.moveDeal(dealId, 'Negotiation/Review');
    expect(await deliver(s.merge.webhookFor(dealId, 'Opportunity.changed', MERGE_WEBHOOK_KEY))).toBe(202);
    const delivered = await waitUntil(
      async () => {
        const a = (await alertsOf(dealId))[0];
        return a?.timeline.find((t: { event: string; status?: string }) => t.event === 'sms.delivery' && t.status === 'delivered')
          ? a
          : undefined;
      },
      60_000,
      'the text and its delivery',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${problems().slice(-15).join('\n')}`);
    });
    expect(delivered.outcome).toBe('no_answer');
    expect(s.telnyx.messages().filter((m) => m.to === VP).length - before).toBe(1);

    // The VP rings our number back (attested by STIR/SHAKEN): the missed alert is read out and "1" connects.
    s.telnyx.incomingCall({
      from: VP,
      to: OUR_NUMBER,
      webhookUrl: `${base}/webhooks/voice`,
      attestation: 'A',
      persona: { responses: [{ press: '1' }], talkMs: 20_000 },
    });
    const called = await waitUntil(
      async () => {
        const a = (await alertsOf(dealId))[0];
        return a?.outcome === 'connected' && a.talk_seconds !== null ? a : undefined;
      },
      60_000,
      'the call back to connect',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${problems().slice(-15).join('\n')}`);
    });
    expect(called.timeline.map((t: { event: string }) => t.event)).toEqual(expect.arrayContaining(['callback.heard', 'bridged']));
    expect(problems().filter((l) => /CROSSSLOT/.test(l))).toEqual([]);
  }, 150_000);
});
