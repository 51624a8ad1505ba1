import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '@dda/testkit';
import { API_TOKEN, startIngressProcess } from './ingress-harness.ts';

/*
 * A sender that posts too much must read our 413, not a broken pipe: Merge and Telnyx log and count what
 * we answer, and a reset mid-upload looks like an outage on our side. Real sockets on loopback, many at
 * once, so the race between our early answer and the client still uploading is run many times, in another process.
 */
let ingress: ServiceProcess;
let base: string;
beforeAll(async () => {
  ({ ingress, base } = await startIngressProcess('oversized'));
}, 60_000);
afterAll(async () => ingress.stop());

const ROUTES = ['/webhooks/crm', '/webhooks/voice', '/webhooks/messaging', '/alert'];

describe('bodies over the limit', () => {
  it('are answered 413 with a reason that every sender reads, on every body route, many at once', async () => {
    const body = Buffer.from(JSON.stringify({ deal_name: 'x'.repeat(1_200_000) }));
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 8; round++) {
      const results = await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          try {
            const res = await fetch(`${base}${ROUTES[i % ROUTES.length]}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
              body,
            });
            const reply = (await res.json()) as { error?: string };
            return `${res.status} ${reply.error}`;
          } catch (err) {
            return `threw ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`;
          }
        }),
      );
      for (const r of results) outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
    }
    expect(Object.fromEntries(outcomes)).toEqual({ '413 body_too_large': 8 * 24 });
  }, 60_000);
});
