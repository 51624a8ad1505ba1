import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generateWebhookKeyPair, signTelnyxWebhook } from '@dda/telnyx';
import { signMergeBody } from '@dda/merge';
import { inboxLength } from '@dda/queues';
import { API_TOKEN, MERGE_KEY, startIngress, type Harness } from './ingress-harness.ts';

const keys = generateWebhookKeyPair();
let h: Harness;
beforeAll(async () => {
  h = await startIngress({ TELNYX_PUBLIC_KEY: keys.publicKey });
});
afterAll(async () => h.close());

/** The only doors open without the token: the three signed webhooks, liveness, readiness, the docs and sign-in. */
const PUBLIC = [
  /^\/webhooks\/(crm|voice|messaging)$/,
  /^\/health$/,
  /^\/ready$/,
  /^\/docs(\/.*)?$/,
  /^\/login$/,
  /^\/logout$/,
  /^\/assets\//,
];

function concrete(url: string): string {
  return url.replace(/\*$/, 'x').replace(/:[A-Za-z_]+/g, 'x');
}

describe('every endpoint but the signed webhooks, /health, /ready and /docs refuses a missing or wrong token', () => {
  it('walks every registered route, Bull Board included', async () => {
    const seen: string[] = [];
    for (const route of h.routes) {
      const url = typeof route.url === 'string' ? route.url : String(route.url);
      if (PUBLIC.some((re) => re.test(url))) continue;
      for (const method of [route.method].flat()) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        const path = concrete(url);
        const none = await h.app.inject({ method: method as 'GET', url: path });
        const wrong = await h.app.inject({
          method: method as 'GET',
          url: path,
          headers: { authorization: 'Bearer wrong-token-0123456789abcdef' },
        });
        expect([none.statusCode, wrong.statusCode], `${method} ${url}`).toEqual([401, 401]);
        seen.push(`${method} ${url}`);
      }
    }
    expect(seen).toEqual(expect.arrayContaining(['GET /alerts', 'POST /alert', 'GET /deals', 'GET /metrics', 'GET /']));
    expect(seen.some((r) => r.startsWith('GET /admin/queues'))).toBe(true);
  });
});

describe('replays and oversize bodies', () => {
  it('a replayed Telnyx webhook with an old timestamp changes nothing', async () => {
    const body = readFileSync(new URL('../../../fixtures/telnyx/call.hangup.json', import.meta.url), 'utf8');
    const old = signTelnyxWebhook(body, keys.privateKey, Math.floor(Date.now() / 1000) - 3600);
    const res = await h.app.inject({
      method: 'POST',
      url: '/webhooks/voice',
      payload: body,
      headers: { 'content-type': 'application/json', ...old },
    });
    expect(res.statusCode).toBe(401);
    expect(await h.queues.byName['call-events'].getJobCounts('waiting', 'completed', 'active', 'delayed')).toEqual({
      waiting: 0,
      completed: 0,
      active: 0,
      delayed: 0,
    });
  });

  it('a replayed Merge delivery is answered 200 and queues nothing new', async () => {
    const body = readFileSync(new URL('../../../fixtures/merge/webhook.opportunity.changed.json', import.meta.url));
    const headers = { 'content-type': 'application/json', 'x-merge-webhook-signature': signMergeBody(body, MERGE_KEY) };
    expect((await h.app.inject({ method: 'POST', url: '/webhooks/crm', payload: body, headers })).statusCode).toBe(202);
    const before = await inboxLength(h.redis, h.config.REDIS_PREFIX);
    expect(before).toBeGreaterThan(0);
    const replay = await h.app.inject({ method: 'POST', url: '/webhooks/crm', payload: body, headers });
    expect(replay.statusCode).toBe(200);
    expect(await inboxLength(h.redis, h.config.REDIS_PREFIX)).toBe(before);
  });

  it('bodies over the limit are refused with 413 before any parsing (invalid JSON still gets 413, not 400)', async () => {
    const huge = Buffer.alloc(1024 * 1024 + 1, '{');
    for (const url of ['/webhooks/crm', '/webhooks/voice', '/alert']) {
      const res = await h.app.inject({
        method: 'POST',
        url,
        payload: huge,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
      });
      expect(res.statusCode, url).toBe(413);
    }
  });
});
