import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookKeyPair, signTelnyxWebhook } from '@dda/telnyx';
import { startIngress, type Harness } from './ingress-harness.ts';

const keys = generateWebhookKeyPair();
const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/telnyx/${name}.json`, import.meta.url), 'utf8');

let h: Harness;
beforeAll(async () => {
  h = await startIngress({ TELNYX_PUBLIC_KEY: keys.publicKey, INBOUND_PIN: '2468' });
});
afterAll(async () => h.close());

const post = (body: string | Buffer, headers: Record<string, string>) =>
  h.app.inject({ method: 'POST', url: '/webhooks/voice', payload: body, headers: { 'content-type': 'application/json', ...headers } });

/** A signed event with a fresh id, so each test queues its own job. */
function event(name: string, id: string, edit: (payload: Record<string, unknown>) => void = () => {}): string {
  const e = JSON.parse(fixture(name)) as { data: { id: string; payload: Record<string, unknown> } };
  e.data.id = id;
  edit(e.data.payload);
  return JSON.stringify(e);
}

describe('what a call-events job keeps of a Telnyx payload', () => {
  it('only the fields the call-worker reads: no phone numbers, no SIP details', async () => {
    const body = event('call.hangup', 'ev-hangup-1', (p) =>
      Object.assign(p, { from: '+14155550123', to: '+14155550199', sip_hangup_cause: '200' }),
    );
    expect((await post(body, signTelnyxWebhook(body, keys.privateKey))).statusCode).toBe(200);
    const job = await h.queues.byName['call-events'].getJob('tx-ev-hangup-1');
    expect(Object.keys(job!.data.payload).sort()).toEqual(
      ['call_control_id', 'client_state', 'hangup_cause'].filter((k) => k in JSON.parse(body).data.payload).sort(),
    );
    expect(JSON.stringify(job!.data)).not.toMatch(/4155550/);
  });

  it('a final transcript is kept out of the job, under a key of its own that expires within a day', async () => {
    const body = event(
      'call.transcription',
      'ev-transcript-1',
      (p) => ((p['transcription_data'] as Record<string, unknown>)['transcript'] = 'connect me to Dana please'),
    );
    expect((await post(body, signTelnyxWebhook(body, keys.privateKey))).statusCode).toBe(200);
    const job = await h.queues.byName['call-events'].getJob('tx-ev-transcript-1');
    const raw = JSON.stringify(job!.data);
    expect(raw).not.toContain('connect me to Dana');
    const key = (job!.data.payload['transcription_data'] as { transcript_key: string }).transcript_key;
    expect(key).toBe(`${h.queues.byName['call-events'].qualifiedName}:transcript:tx-ev-transcript-1`);
    expect(await h.redis.get(key)).toBe('connect me to Dana please');
    const ttl = await h.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });

  it('an interim transcript is not kept at all', async () => {
    const body = event('call.transcription', 'ev-transcript-2', (p) =>
      Object.assign(p['transcription_data'] as object, { is_final: false, transcript: 'connect' }),
    );
    expect((await post(body, signTelnyxWebhook(body, keys.privateKey))).statusCode).toBe(200);
    const job = await h.queues.byName['call-events'].getJob('tx-ev-transcript-2');
    expect(job!.data.payload['transcription_data']).toEqual({ is_final: false });
  });
});

describe('the signature is checked over the bytes received', () => {
  it('a body that is not valid UTF-8 is refused with 400, signed or not', async () => {
    const text = event('call.answered', 'ev-bytes-1');
    // 0xff is never valid UTF-8; decoded it would become U+FFFD, so different bytes would read the same.
    const bytes = Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0x20, 0xff]), Buffer.from('}')]);
    const signedAsDecoded = signTelnyxWebhook(bytes.toString('utf8'), keys.privateKey);
    const res = await post(bytes, signedAsDecoded);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'bad_body', reason: 'body is not valid UTF-8' });
    expect(await h.queues.byName['call-events'].getJob('tx-ev-bytes-1')).toBeUndefined();
  });

  it('a valid UTF-8 body (names with accents) verifies and queues', async () => {
    const body = event('call.answered', 'ev-bytes-2', (p) => (p['client_state'] = Buffer.from('Zoë · Ångström').toString('base64')));
    expect((await post(Buffer.from(body, 'utf8'), signTelnyxWebhook(body, keys.privateKey))).statusCode).toBe(200);
  });

  it('a PIN never reaches Redis: several keys become pin_ok, one key stays a menu choice', async () => {
    for (const [id, digits] of [
      ['ev-pin-right', '2468'],
      ['ev-pin-wrong', '2469'],
      ['ev-menu', '1'],
    ] as const) {
      const body = event('call.gather.ended', id, (p) => Object.assign(p, { digits }));
      expect((await post(body, signTelnyxWebhook(body, keys.privateKey))).statusCode).toBe(200);
    }
    const payload = async (id: string) => (await h.queues.byName['call-events'].getJob(`tx-${id}`))!.data.payload;
    expect(await payload('ev-pin-right')).toMatchObject({ pin_ok: true });
    expect(await payload('ev-pin-wrong')).toMatchObject({ pin_ok: false });
    expect(await payload('ev-menu')).toMatchObject({ digits: '1' });
    for (const id of ['ev-pin-right', 'ev-pin-wrong']) {
      expect(await payload(id)).not.toHaveProperty('digits');
      expect(JSON.stringify(await payload(id))).not.toMatch(/246/);
    }
  });

  it("a call to our number: the caller's number waits under a key of its own for an hour, not in the job", async () => {
    const body = event('call.initiated', 'ev-incoming-1', (p) =>
      Object.assign(p, {
        direction: 'incoming',
        from: '+14155550123',
        to: '+14155550199',
        client_state: null,
        shaken_stir_attestation: 'B',
      }),
    );
    expect((await post(body, signTelnyxWebhook(body, keys.privateKey))).statusCode).toBe(200);
    const job = await h.queues.byName['call-events'].getJob('tx-ev-incoming-1');
    expect(JSON.stringify(job!.data)).not.toMatch(/4155550/);
    expect(job!.data.payload).toMatchObject({ direction: 'incoming', shaken_stir_attestation: 'B' });
    const key = job!.data.payload['caller_key'] as string;
    expect(await h.redis.get(key)).toBe('+14155550123');
    expect(await h.redis.ttl(key)).toBeLessThanOrEqual(3600);
  });
});
