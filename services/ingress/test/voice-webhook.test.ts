import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookKeyPair, signTelnyxWebhook } from '@dda/telnyx';
import { startIngress, type Harness } from './ingress-harness.ts';

const keys = generateWebhookKeyPair();
const other = generateWebhookKeyPair();
const answered = readFileSync(new URL('../../../fixtures/telnyx/call.answered.json', import.meta.url), 'utf8');
const now = () => Math.floor(Date.now() / 1000);

let h: Harness;
beforeAll(async () => {
  h = await startIngress({ TELNYX_PUBLIC_KEY: keys.publicKey });
});
afterAll(async () => h.close());

const post = (body: string, headers: Record<string, string>) =>
  h.app.inject({ method: 'POST', url: '/webhooks/voice', payload: body, headers: { 'content-type': 'application/json', ...headers } });

describe('POST /webhooks/voice', () => {
  it('queues a correctly signed event under its event id and answers 200; a redelivery queues nothing', async () => {
    const res = await post(answered, signTelnyxWebhook(answered, keys.privateKey));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'queued' });
    const again = await post(answered, signTelnyxWebhook(answered, keys.privateKey));
    expect(again.json()).toEqual({ status: 'duplicate' });
    const job = await h.queues.byName['call-events'].getJob('tx-0ccc7b54-4df3-4bca-a65a-3da1ecc777f0');
    expect(job?.data).toMatchObject({ eventType: 'call.answered', eventId: '0ccc7b54-4df3-4bca-a65a-3da1ecc777f0' });
  });

  it('refuses tampered, wrong-key, stale (301 s), future and unsigned deliveries with 401', async () => {
    const tampered = answered.replace('answered', 'answereD');
    expect((await post(tampered, signTelnyxWebhook(answered, keys.privateKey))).statusCode).toBe(401);
    expect((await post(answered, signTelnyxWebhook(answered, other.privateKey))).statusCode).toBe(401);
    const stale = await post(answered, signTelnyxWebhook(answered, keys.privateKey, now() - 301));
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error).toBe('stale_timestamp');
    expect((await post(answered, signTelnyxWebhook(answered, keys.privateKey, now() + 301))).statusCode).toBe(401);
    const unsigned = await post(answered, {});
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().error).toBe('missing_headers');
  });

  it('accepts application/json with parameters in any case, verifying the bytes as received', async () => {
    for (const [i, ct] of ['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8'].entries()) {
      const body = answered.replace('0ccc7b54-4df3-4bca-a65a-3da1ecc777f0', `0ccc7b54-4df3-4bca-a65a-3da1ecc7770${i}`);
      const res = await post(body, { ...signTelnyxWebhook(body, keys.privateKey), 'content-type': ct });
      expect(res.statusCode, ct).toBe(200);
      expect(res.json(), ct).toEqual({ status: 'queued' });
      const tampered = await post(body.replace('answered', 'answereD'), {
        ...signTelnyxWebhook(body, keys.privateKey),
        'content-type': ct,
      });
      expect(tampered.statusCode, ct).toBe(401);
    }
    const text = await post(answered, { ...signTelnyxWebhook(answered, keys.privateKey), 'content-type': 'text/plain; charset=utf-8' });
    expect(text.statusCode).toBe(415);
  });

  it('answers 400 to a signed body that is not a Telnyx event', async () => {
    const body = JSON.stringify({ data: { hello: 'world' } });
    const res = await post(body, signTelnyxWebhook(body, keys.privateKey));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('malformed');
  });
});
