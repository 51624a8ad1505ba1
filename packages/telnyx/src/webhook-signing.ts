import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** What Telnyx's portal shows as the public key: base64 of the raw 32-byte Ed25519 key, not PEM/DER. */
export type WebhookKeyPair = { publicKey: string; privateKey: KeyObject };

export function generateWebhookKeyPair(): WebhookKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // SPKI DER for Ed25519 is a fixed 12-byte prefix followed by the raw key.
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { publicKey: spki.subarray(spki.length - 32).toString('base64'), privateKey };
}

/**
 * The headers Telnyx sends with a webhook: Ed25519 over `${timestamp}|${rawBody}` (docs/vendor-facts.md#webhooks).
 * For the simulator and tests only; production never signs.
 */
export function signTelnyxWebhook(
  rawBody: string,
  privateKey: KeyObject | string,
  timestamp: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = sign(null, Buffer.from(`${timestamp}|${rawBody}`, 'utf8'), privateKey);
  return {
    'telnyx-signature-ed25519': signature.toString('base64'),
    'telnyx-timestamp': String(timestamp),
  };
}
