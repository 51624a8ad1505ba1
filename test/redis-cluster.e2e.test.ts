import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { createMergeSimulator, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { defaultRepDirectory } from '@dda/sandbox/seed';
import { createTelnyxSimulator, personas, type TelnyxSimulator } from '@dda/sandbox/telnyx-sim';
import { generateWebhookKeyPair } from '@dda/telnyx';
import {
  freePort,
  readServerSentEvents,
  startRedisCluster,
  startService,
  uniquePrefix,
  waitUntil,
  type RedisCluster,
  type ServiceProcess,
} from '@dda/testkit';
import { stormDealId, stormSeed } from './support/storm-seed.ts';

/*
 * All four services on a three-master Redis Cluster (real redis-servers on loopback, `redis-cli --cluster
 * create`), given REDIS_CLUSTER_NODES instead of REDIS_URL. Redis refuses any script, MULTI or pipeline
 * whose keys span slots (CROSSSLOT), so a key owner that forgot its hash tag fails here, not in production.
 */
const DEALS = 6;
const KEY = 'cluster_merge_signature_key';
const TOKEN = 'cluster-token-0123456789abcdef';
const VP = '+15550100001';
const AE = defaultRepDirectory[0]!.phone;
const OUR_NUMBER = '+15550100000';

let cluster: RedisCluster;
let merge: MergeSimulator;
let telnyx: TelnyxSimulator;
let base: string;
let dir: string;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  const keys = generateWebhookKeyPair();
  telnyx = await createTelnyxSimulator({
    apiKey: SANDBOX_CREDENTIALS.telnyxApiKey,
    privateKey: keys.privateKey,
    personas: {},
    timeScale: 0.02,
  });
  telnyx.setPersona(VP, personas.vpSaysConnect);
  telnyx.setPersona(AE, personas.aeAccepts);
  merge = await createMergeSimulator({ apiKey: 'cl-merge-key', accountToken: 'cl-account-token', seed: stormSeed(DEALS + 1) });
  dir = mkdtempSync(join(tmpdir(), 'dda-cluster-'));
  writeFileSync(join(dir, 'reps.json'), JSON.stringify(defaultRepDirectory));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    REDIS_CLUSTER_NODES: cluster.nodes,
    REDIS_PREFIX: uniquePrefix('cluster'),
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    API_TOKEN: TOKEN,
    TELNYX_BASE_URL: telnyx.url,
    TELNYX_PUBLIC_KEY: keys.publicKey,
    MERGE_BASE_URL: merge.url,
    MERGE_API_KEY: 'cl-merge-key',
    MERGE_ACCOUNT_TOKEN: 'cl-account-token',
    MERGE_WEBHOOK_SIGNATURE_KEY: KEY,
    MERGE_POLL_SECONDS: '0',
    VP_SALES_NUMBER: VP,
    REP_DIRECTORY_FILE: join(dir, 'reps.json'),
    CALL_RETRY_ATTEMPTS: '1',
    TELNYX_MESSAGING_PROFILE_ID: 'cl-profile',
    TELNYX_PHONE_NUMBER: OUR_NUMBER,
    CALL_RETRY_DELAY_SECONDS: '0',
  };
  for (const name of ['ingress', 'briefing-worker', 'dialer-worker', 'call-worker']) {
    const svc = startService(name, env);
    services.push(svc);
    await svc.waitFor(name === 'ingress' ? /ingress listening/ : new RegExp(`${name} started`), 30_000);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await telnyx?.close();
  await merge?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
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
  return services.flatMap((svc) =>
    svc.lines.filter((l) => /"level":"(warn|error|fatal)"|CROSSSLOT/.test(l)).map((l) => `${svc.name}: ${l.slice(0, 300)}`),
  );
}

describe('Redis Cluster: three masters under all four services', () => {
  it('the intake: one alert through five redeliveries, and its call connects', async () => {
    const dealId = stormDealId(0);
    merge.moveDeal(dealId, 'Negotiation/Review');
    const delivery = merge.webhookFor(dealId, 'Opportunity.changed', KEY);
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
    const ae = telnyx.commands.filter((c) => c.action === 'dial' && !c.duplicate && c.to === AE);
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
      merge.moveDeal(id, 'Negotiation/Review');
      return merge.webhookFor(id, 'Opportunity.changed', KEY);
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
    telnyx.setPersona(VP, personas.vpNoAnswer);
    const before = telnyx.messages().filter((m) => m.to === VP).length;
    merge.moveDeal(dealId, 'Negotiation/Review');
    expect(await deliver(merge.webhookFor(dealId, 'Opportunity.changed', KEY))).toBe(202);
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
    expect(telnyx.messages().filter((m) => m.to === VP).length - before).toBe(1);

    // The VP rings our number back (attested by STIR/SHAKEN): the missed alert is read out and "1" connects.
    telnyx.incomingCall({
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
