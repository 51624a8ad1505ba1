import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@dda/sandbox';
import { deleteKeys, freePort, startService, testRedisUrl, uniquePrefix, waitUntil, type ServiceProcess } from '@dda/testkit';
import { Redis } from 'ioredis';

/*
 * What npm start seeds (two recipients, two linked accounts, ROUTING_FILE) run by the real services: the two
 * printed webhooks at once ring the CRO (a $900,000 deal of the second account) and the VP (Northwind) together.
 */
const TOKEN = 'sandbox-two-lines-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'dda-sandbox-lines-'));
const prefix = uniquePrefix('sbx-lines');
let sandbox: Sandbox;
let redis: Redis;
let base: string;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  const url = await testRedisUrl();
  redis = new Redis(url);
  sandbox = await startSandbox({
    env: { REDIS_URL: url, REDIS_PREFIX: prefix, SANDBOX_TIME_SCALE: '0.05', SANDBOX_AI_LATENCY_MS: '50' },
    print: () => undefined,
    dataDir: dir,
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    ...sandbox.env,
    REDIS_URL: url,
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    API_TOKEN: TOKEN,
    MERGE_POLL_SECONDS: '0',
    CALL_RETRY_DELAY_SECONDS: '0',
  };
  for (const name of ['ingress', 'briefing-worker', 'dialer-worker', 'call-worker'] as const) {
    const svc = startService(name, env);
    services.push(svc);
    await svc.waitFor(name === 'ingress' ? /ingress listening/ : new RegExp(`${name} started`), 30_000);
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await sandbox?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

type Entry = { event: string; at: string; [k: string]: any };

describe("npm start's seeds", () => {
  it('the two printed deals ring the CRO and the VP at the same time, each alert naming its route and account', async () => {
    const printed = sandbox.instructions(base);
    const curls = [...printed.matchAll(/-H 'x-merge-webhook-signature: (\S+)' --data-binary @(\/\S+)/g)].map((m) => ({
      signature: m[1]!,
      file: m[2]!,
    }));
    expect(curls).toHaveLength(2);
    const answers = await Promise.all(
      curls.map((c) =>
        fetch(`${base}/webhooks/crm`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': c.signature },
          body: readFileSync(c.file),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const alerts = await waitUntil(
      async () => {
        const list = (await (await fetch(`${base}/alerts`, { headers: auth })).json()) as { alerts: Record<string, any>[] };
        const done = list.alerts.filter((a) => a.timeline.some((t: Entry) => t.event === 'call.ended'));
        return done.length === 2 ? list.alerts : undefined;
      },
      60_000,
      'both calls to end',
    );
    const byRoute = Object.fromEntries(alerts.map((a) => [a.timeline.find((t: Entry) => t.event === 'route.matched')?.route, a]));
    expect(Object.keys(byRoute).sort()).toEqual(['big deals', 'everything else']);
    expect(byRoute['big deals']!.linked_account_id).toBe('sandbox-subsidiary-crm');
    expect(byRoute['big deals']!.timeline.find((t: Entry) => t.event === 'call.dialing').recipient).toBe('cro');
    expect(byRoute['everything else']!.timeline.find((t: Entry) => t.event === 'call.dialing').recipient).toBe('vp');
    const span = (a: Record<string, any>) => [
      Date.parse(a.timeline.find((t: Entry) => t.event === 'call.dialing').at),
      Date.parse(a.timeline.find((t: Entry) => t.event === 'call.ended').at),
    ];
    const [c, v] = [span(byRoute['big deals']!), span(byRoute['everything else']!)];
    expect(Math.max(c[0]!, v[0]!)).toBeLessThan(Math.min(c[1]!, v[1]!));
  }, 90_000);
});
