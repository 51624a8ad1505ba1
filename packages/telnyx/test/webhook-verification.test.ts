import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateWebhookKeyPair, signTelnyxWebhook, verifyTelnyxWebhook } from '../src/index.ts';

// shared/ sits beside the repository, locally and in CI.
const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/telnyx/${name}`, import.meta.url), 'utf8');

const keys = generateWebhookKeyPair();
const now = () => Math.floor(Date.now() / 1000);
const body = fixture('call.answered.json');

describe('verifyTelnyxWebhook', () => {
  it('accepts a good signature and returns the event', async () => {
    const r = await verifyTelnyxWebhook(body, signTelnyxWebhook(body, keys.privateKey), keys.publicKey);
    expect(r.ok).toBe(true);
  });

  it('round-trips the call.answered fixture bytes unchanged', async () => {
    const r = await verifyTelnyxWebhook(body, signTelnyxWebhook(body, keys.privateKey), keys.publicKey);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event).toEqual(JSON.parse(body));
    expect(r.event.data.event_type).toBe('call.answered');
    expect(r.event.data.payload.call_control_id).toBe('v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg');
  });

  it('rejects a body changed after signing', async () => {
    const headers = signTelnyxWebhook(body, keys.privateKey);
    const tampered = body.replace('"answered"', '"answered" ');
    expect(await verifyTelnyxWebhook(tampered, headers, keys.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a timestamp 301 s old', async () => {
    const r = await verifyTelnyxWebhook(body, signTelnyxWebhook(body, keys.privateKey, now() - 301), keys.publicKey);
    expect(r).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects a timestamp 301 s in the future', async () => {
    const r = await verifyTelnyxWebhook(body, signTelnyxWebhook(body, keys.privateKey, now() + 301), keys.publicKey);
    expect(r).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('accepts a timestamp 290 s old (inside the window)', async () => {
    const r = await verifyTelnyxWebhook(body, signTelnyxWebhook(body, keys.privateKey, now() - 290), keys.publicKey);
    expect(r.ok).toBe(true);
  });

  it('reports missing headers', async () => {
    const signed = signTelnyxWebhook(body, keys.privateKey);
    expect(await verifyTelnyxWebhook(body, {}, keys.publicKey)).toEqual({ ok: false, reason: 'missing_headers' });
    const onlyTimestamp = { 'telnyx-timestamp': signed['telnyx-timestamp'] };
    expect(await verifyTelnyxWebhook(body, onlyTimestamp, keys.publicKey)).toEqual({ ok: false, reason: 'missing_headers' });
    const undefinedSig = { ...signed, 'telnyx-signature-ed25519': undefined };
    expect(await verifyTelnyxWebhook(body, undefinedSig, keys.publicKey)).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('rejects a signature made with another key', async () => {
    const other = generateWebhookKeyPair();
    const r = await verifyTelnyxWebhook(body, signTelnyxWebhook(body, other.privateKey), keys.publicKey);
    expect(r).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a signature that is not 64 bytes of base64', async () => {
    const headers = { ...signTelnyxWebhook(body, keys.privateKey), 'telnyx-signature-ed25519': 'bm90LWEtc2lnbmF0dXJl' };
    expect(await verifyTelnyxWebhook(body, headers, keys.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it("takes Node's header object as is: mixed case, arrays, undefined", async () => {
    const signed = signTelnyxWebhook(body, keys.privateKey);
    const headers = {
      'Telnyx-Signature-Ed25519': [signed['telnyx-signature-ed25519']!],
      'telnyx-timestamp': signed['telnyx-timestamp'],
      'x-other': undefined,
    };
    expect((await verifyTelnyxWebhook(body, headers, keys.publicKey)).ok).toBe(true);
  });

  it('accepts a PEM private key for signing', async () => {
    const pem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect((await verifyTelnyxWebhook(body, signTelnyxWebhook(body, pem), keys.publicKey)).ok).toBe(true);
  });

  it('reports a correctly signed body that is not a Telnyx event as malformed', async () => {
    for (const raw of ['not json', '{"data":{"event_type":"call.answered"}}', '[]']) {
      const r = await verifyTelnyxWebhook(raw, signTelnyxWebhook(raw, keys.privateKey), keys.publicKey);
      expect(r).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('reports a non-numeric timestamp as malformed', async () => {
    const headers = { ...signTelnyxWebhook(body, keys.privateKey), 'telnyx-timestamp': '12ab' };
    expect(await verifyTelnyxWebhook(body, headers, keys.publicKey)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('throws on a misconfigured public key instead of refusing every webhook', async () => {
    const headers = signTelnyxWebhook(body, keys.privateKey);
    await expect(verifyTelnyxWebhook(body, headers, 'not-a-key')).rejects.toThrow(/32-byte/);
    await expect(verifyTelnyxWebhook(body, headers, Buffer.alloc(16).toString('base64'))).rejects.toThrow(/32-byte/);
  });
});
