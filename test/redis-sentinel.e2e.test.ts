import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { createMergeSimulator, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { defaultRepDirectory } from '@dda/sandbox/seed';
import { createTelnyxSimulator, personas, type TelnyxSimulator } from '@dda/sandbox/telnyx-sim';
import { connectOptions } from '@dda/redis';
import { generateWebhookKeyPair } from '@dda/telnyx';
import { freePort, startSentinelRedis, startService, uniquePrefix, waitUntil, type SentinelRedis, type ServiceProcess } from '@dda/testkit';
import { stormDealId, stormSeed } from './support/storm-seed.ts';

/*
 * Redis behind Sentinel (a master, a replica, three sentinels, all real redis-servers on loopback) under all
 * four services. The master is killed with SIGKILL right after the 20th 202: a 202 waited for the replica
 * (REDIS_MIN_REPLICAS_ACK, default 1 under Sentinel: WAIT), so nothing acknowledged is lost; what got a 5xx or
 * a dropped connection during the failover is redelivered as Merge does; the services find the new master by
 * themselves.
 */
const DEALS = 40;
const KILL_AFTER = 20;
const KEY = 'sentinel_merge_signature_key';
const TOKEN = 'sentinel-token-0123456789abcdef';
const VP = '+15550100001';
const AE = defaultRepDirectory[0]!.phone;

let ha: SentinelRedis;
let merge: MergeSimulator;
let telnyx: TelnyxSimulator;
let base: string;
let dir: string;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  ha = await startSentinelRedis();
  const keys = generateWebhookKeyPair();
  telnyx = await createTelnyxSimulator({
    apiKey: SANDBOX_CREDENTIALS.telnyxApiKey,
    privateKey: keys.privateKey,
    personas: {},
    timeScale: 0.02,
    webhookRetryDelaysMs: [50, 150, 400, 1000, 2000, 4000],
  });
  telnyx.setPersona(VP, personas.vpSaysConnect);
  telnyx.setPersona(AE, personas.aeAccepts);
  merge = await createMergeSimulator({ apiKey: 'ha-merge-key', accountToken: 'ha-account-token', seed: stormSeed(DEALS) });
  dir = mkdtempSync(join(tmpdir(), 'dda-ha-'));
  writeFileSync(join(dir, 'reps.json'), JSON.stringify(defaultRepDirectory));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    ...ha.env,
    REDIS_PREFIX: uniquePrefix('ha'),
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    API_TOKEN: TOKEN,
    TELNYX_BASE_URL: telnyx.url,
    TELNYX_PUBLIC_KEY: keys.publicKey,
    MERGE_BASE_URL: merge.url,
    MERGE_API_KEY: 'ha-merge-key',
    MERGE_ACCOUNT_TOKEN: 'ha-account-token',
    MERGE_WEBHOOK_SIGNATURE_KEY: KEY,
    MERGE_POLL_SECONDS: '0',
    VP_SALES_NUMBER: VP,
    REP_DIRECTORY_FILE: join(dir, 'reps.json'),
    CALL_RETRY_ATTEMPTS: '1',
    CALL_RETRY_DELAY_SECONDS: '0',
    // A worker cut off mid-job by the failover hands its job on quickly.
    JOB_LOCK_MS: '5000',
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
  await ha?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What Merge does with a delivery: a 2xx ends it; a 5xx or no answer is retried later (here every 100 ms). */
async function deliverAsMerge(d: {
  body: string;
  signature: string;
}): Promise<{ status: number; tries: number; firstFailureAt?: number; acceptedAt: number }> {
  let firstFailureAt: number | undefined;
  for (let tries = 1; ; tries++) {
    const status = await fetch(`${base}/webhooks/crm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature },
      body: d.body,
      signal: AbortSignal.timeout(5000),
    })
      .then(async (r) => (await r.arrayBuffer(), r.status))
      .catch(() => 0);
    if (status >= 200 && status < 300) return { status, tries, acceptedAt: Date.now(), ...(firstFailureAt ? { firstFailureAt } : {}) };
    expect(status === 0 || status >= 500, `status ${status} is not one Merge retries`).toBe(true);
    firstFailureAt ??= Date.now();
    if (tries > 600)
      throw new Error(`delivery never accepted (last ${status}); ingress said:\n${services[0]!.lines.slice(-20).join('\n')}`);
    await sleep(100);
  }
}

async function allAlerts(): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${base}/alerts?limit=200`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { alerts: Array<Record<string, any>> }).alerts;
}

describe('Redis Sentinel: the master killed with kill -9 after the 20th 202', () => {
  it('40 signed deliveries retried as Merge would → 40 alerts, none doubled, no deal dialled twice', async () => {
    const deliveries = Array.from({ length: DEALS }, (_, i) => {
      merge.moveDeal(stormDealId(i), 'Negotiation/Review');
      return merge.webhookFor(stormDealId(i), 'Opportunity.changed', KEY);
    });

    // /ready, asked every 50 ms throughout: it must say 503 while there is no master, and 200 again after.
    const readiness: number[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        readiness.push(
          await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2000) }).then(
            (r) => r.status,
            () => 0,
          ),
        );
        await sleep(50);
      }
    })();

    const results = [];
    let killedAt = 0;
    let oldMaster = 0;
    let promotedAt = 0;
    let restarted: Promise<void> | undefined;
    let newMaster: Promise<number> | undefined;
    for (let i = 0; i < DEALS; i++) {
      results.push(await deliverAsMerge(deliveries[i]!));
      if (i === KILL_AFTER - 1) {
        oldMaster = await ha.kill9Master();
        killedAt = Date.now();
        newMaster = ha.waitForNewMaster(oldMaster).then((port) => ((promotedAt = Date.now()), port));
        // The dead node comes back once the replica has been promoted (a host back after longer than the
        // sentinels wait; back sooner, it would simply still be the master with its AOF) and the sentinels
        // make it the new master's replica. Until then no replica holds a change: nothing is acknowledged (WAIT).
        const dead = oldMaster;
        restarted = newMaster.then(() => ha.restart(dead));
      }
    }
    const promotedPort = await newMaster!;
    await restarted;
    probing = false;
    await prober;

    // Before the kill each delivery is accepted at once. After it, a delivery can reach the new master before
    // any replica holds it: that answer is 503 (WAIT), and Merge's redelivery finds it there (200 duplicate,
    // itself answered only once a replica holds it). Either way every delivery ends acknowledged exactly once.
    expect(results.slice(0, KILL_AFTER).map((r) => r.status)).toEqual(Array(KILL_AFTER).fill(202));
    expect(results.every((r) => r.status === 202 || r.status === 200)).toBe(true);
    // The delivery right after the kill met the failover (refused or 503) and got through on a retry.
    const first = results[KILL_AFTER]!;
    expect(first.tries).toBeGreaterThan(1);
    expect(promotedPort).not.toBe(oldMaster);
    const failoverMs = first.acceptedAt - killedAt;
    console.log(
      `[sentinel] ${new Date().toISOString()} master kill -9 → replica promoted and named by the sentinels: ${promotedAt - killedAt} ms; ` +
        `→ first 202 through the new master: ${failoverMs} ms (delivery ${KILL_AFTER + 1}, ${first.tries} tries); ` +
        `/ready answered 503 to ${readiness.filter((s) => s === 503).length} of ${readiness.length} probes; ` +
        `after the kill: ${results.slice(KILL_AFTER).filter((r) => r.status === 202).length} × 202, ${results.slice(KILL_AFTER).filter((r) => r.status === 200).length} × 200 (accepted on a try whose answer was 503)`,
    );
    expect(readiness).toContain(503);
    expect(readiness.at(-1)).toBe(200);

    // Merge redelivers what it is unsure of: every one of the 40 — the 20 accepted before the kill included,
    // whose 202 waited for the replica — is now a duplicate on the promoted replica.
    for (const d of deliveries) expect((await deliverAsMerge(d)).status).toBe(200);

    let last: Array<Record<string, any>> = [];
    const finished = await waitUntil(
      async () => {
        last = await allAlerts();
        return last.length >= DEALS && last.every((a) => a.outcome) ? last : undefined;
      },
      120_000,
      'an outcome for every alert',
    ).catch((err: Error) => {
      const problems = services.flatMap((svc) =>
        svc.lines
          .filter((l) => /"level":"(warn|error|fatal)"/.test(l))
          .slice(-5)
          .map((l) => `${svc.name}: ${l.slice(0, 300)}`),
      );
      const stuck = last.find((a) => !a.outcome);
      throw new Error(
        `${err.message}: ${last.length} alerts, ${last.filter((a) => !a.outcome).length} without outcome; e.g. ${stuck?.status} ${JSON.stringify(stuck?.timeline?.map((t: { event: string }) => t.event))}\n${problems.join('\n')}`,
      );
    });
    expect(finished).toHaveLength(DEALS);
    expect(new Set(finished.map((a) => a.deal.id)).size).toBe(DEALS);
    // No deal dialled twice: each alert was in exactly one call, and Telnyx saw one VP dial per call.
    for (const a of finished)
      expect(
        a.timeline.filter((t: { event: string }) => t.event === 'call.dialing'),
        a.deal.id,
      ).toHaveLength(1);
    const callIds = new Set(finished.map((a) => a.timeline.find((t: { event: string }) => t.event === 'call.dialing').call_id));
    const vpDials = telnyx.commands.filter((c) => c.action === 'dial' && !c.duplicate && c.to === VP);
    expect(
      vpDials,
      JSON.stringify({
        dials: vpDials,
        timelines: finished
          .filter((a) => a.timeline.length > 3)
          .slice(0, 3)
          .map((a) => a.timeline),
      }).slice(0, 6000),
    ).toHaveLength(callIds.size);
    expect(finished.some((a) => a.outcome === 'connected')).toBe(true);

    // And the data is where the sentinels say the master is.
    const { options } = connectOptions(`redis-sentinel://${ha.sentinels}/${ha.master}`);
    const r = new Redis({ ...options, lazyConnect: true });
    await r.connect();
    expect(await r.info('server')).toContain(`tcp_port:${promotedPort}`);
    r.disconnect();
  }, 240_000);

  it('a 202 waits for the replica: with the replica hung, a delivery answers 503 until it is back', async () => {
    const replica = await ha.replicaPort();
    merge.moveDeal(stormDealId(0), 'Closed Won');
    const d = merge.webhookFor(stormDealId(0), 'Opportunity.changed', KEY);
    ha.signal(replica, 'SIGSTOP');
    try {
      const res = await fetch(`${base}/webhooks/crm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature },
        body: d.body,
      });
      expect(res.status).toBe(503);
    } finally {
      ha.signal(replica, 'SIGCONT');
    }
    // Merge redelivers: the change did reach the master, and now the replica too.
    const again = await deliverAsMerge(d);
    expect([200, 202]).toContain(again.status);
    expect((await deliverAsMerge(d)).status).toBe(200);
  }, 60_000);
});
