import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { signMergeBody } from '@dda/merge';
import type { ServiceProcess } from '@dda/testkit';
import { API_TOKEN, MERGE_KEY, startIngressProcess } from './ingress-harness.ts';

const RUNS = 1000;
let ingress: ServiceProcess;
let base: string;
beforeAll(async () => {
  ({ ingress, base } = await startIngressProcess('fuzz', { LOG_LEVEL: 'info' }));
}, 60_000);
afterAll(async () => {
  await ingress.stop();
});

const contentTypes = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  '',
];

/** Bodies no client should send: random bytes, JSON of the wrong shape, huge strings, deep nesting. */
const badBody = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc.anything({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined')),
  fc.integer({ min: 10_000, max: 1_200_000 }).map((n) => Buffer.from(JSON.stringify({ deal_name: 'x'.repeat(n) }))),
  fc.integer({ min: 1, max: 200_000 }).map((n) => Buffer.from('['.repeat(n) + ']'.repeat(n))),
  fc.integer({ min: 1, max: 50_000 }).map((n) => Buffer.from('{"a":'.repeat(n) + '1' + '}'.repeat(n))),
  fc
    .constantFrom('', 'null', '{}', '[]', '{"deal_id":1}', '{"hook":{}}', '{"deal_name":"x","amount":-1,"stage":"s"}')
    .map((s) => Buffer.from(s)),
);

async function send(method: string, path: string, body: Buffer | undefined, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${base}${path}`, { method, headers, ...(body ? { body } : {}) });
  await res.arrayBuffer();
  return res.status;
}

async function fuzz(label: string, arb: fc.Arbitrary<() => Promise<number>>): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const samples = fc.sample(arb, { numRuns: RUNS, seed: 42 });
  for (let i = 0; i < samples.length; i += 25) {
    const batch = await Promise.all(samples.slice(i, i + 25).map((f) => f()));
    for (const s of batch) statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  const bad = [...statuses.keys()].filter((s) => s < 400 || s >= 500);
  expect(bad, `${label}: non-4xx statuses ${JSON.stringify(Object.fromEntries(statuses))}`).toEqual([]);
  return statuses;
}

describe(`${RUNS} generated bad requests per public endpoint get only 4xx and the ingress stays up`, () => {
  it('POST /webhooks/crm (signed and unsigned)', async () => {
    await fuzz(
      'crm',
      fc.tuple(badBody, fc.constantFrom(...contentTypes), fc.boolean()).map(
        ([body, ct, sign]) =>
          () =>
            send('POST', '/webhooks/crm', body, {
              ...(ct ? { 'content-type': ct } : {}),
              ...(sign ? { 'x-merge-webhook-signature': signMergeBody(body, MERGE_KEY) } : {}),
            }),
      ),
    );
  }, 120_000);

  it.each(['voice', 'messaging'])(
    'POST /webhooks/%s (unsigned, badly signed, stale)',
    async (hook) => {
      await fuzz(
        hook,
        fc.tuple(badBody, fc.constantFrom(...contentTypes), fc.constantFrom('none', 'garbage', 'stale')).map(
          ([body, ct, sig]) =>
            () =>
              send('POST', `/webhooks/${hook}`, body, {
                ...(ct ? { 'content-type': ct } : {}),
                ...(sig === 'garbage'
                  ? { 'telnyx-signature-ed25519': 'AAAA', 'telnyx-timestamp': String(Math.floor(Date.now() / 1000)) }
                  : {}),
                ...(sig === 'stale'
                  ? { 'telnyx-signature-ed25519': Buffer.alloc(64, 1).toString('base64'), 'telnyx-timestamp': '1000000000' }
                  : {}),
              }),
        ),
      );
    },
    120_000,
  );

  it('POST /alert with and without the token', async () => {
    await fuzz(
      'alert',
      fc.tuple(badBody, fc.constantFrom(...contentTypes), fc.boolean()).map(
        ([body, ct, auth]) =>
          () =>
            send('POST', '/alert', body, {
              ...(ct ? { 'content-type': ct } : {}),
              ...(auth ? { authorization: `Bearer ${API_TOKEN}` } : {}),
            }),
      ),
    );
  }, 120_000);

  it('GET /alerts, /alerts/:id and /deals with hostile queries and ids', async () => {
    const junk = fc.string({ maxLength: 300 }).map(encodeURIComponent);
    await fuzz(
      'reads',
      fc
        .tuple(
          fc.constantFrom('/alerts?limit=', '/alerts?cursor=', '/deals?limit=', '/alerts/', '/alerts?limit=0&cursor='),
          junk,
          fc.boolean(),
        )
        .map(
          ([path, q, auth]) =>
            () =>
              send(
                'GET',
                `${path}${path.endsWith('/') ? `zz${q}` : q === '' ? 'x' : `x${q}`}`,
                undefined,
                auth ? { authorization: `Bearer ${API_TOKEN}` } : {},
              ),
        ),
    );
  }, 120_000);

  it('is still alive and healthy afterwards', async () => {
    expect(ingress.exited()).toBe(false);
    const res = await fetch(`${base}/health`);
    expect(await res.json()).toEqual({ status: 'ok', service: 'merge-deal-desk-alerts' });
  });
});
