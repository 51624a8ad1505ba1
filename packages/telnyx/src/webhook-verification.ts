import Telnyx from 'telnyx';
import type { z } from 'zod';
import { telnyxEventSchema, type TelnyxEvent } from './telnyx-event.ts';

export type WebhookRejection = 'missing_headers' | 'bad_signature' | 'stale_timestamp' | 'malformed';
export type WebhookVerification<E = TelnyxEvent> = { ok: true; event: E } | { ok: false; reason: WebhookRejection };
export type IncomingHeaders = Record<string, string | string[] | undefined>;

// unwrap() needs a client but never calls the API; the key is passed per call, the apiKey is never used.
const clientsByKey = new Map<string, Telnyx>();
function verifierFor(publicKeyBase64: string): Telnyx {
  let client = clientsByKey.get(publicKeyBase64);
  if (!client) {
    client = new Telnyx({ apiKey: 'webhook-verification-only', publicKey: publicKeyBase64, maxRetries: 0 });
    clientsByKey.set(publicKeyBase64, client);
  }
  return client;
}

/** The SDK rejects array values ("Invalid signature format"), so flatten Node's header object first. */
export function normaliseHeaders(headers: IncomingHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[name.toLowerCase()] = first;
  }
  return out;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Verifies a Call Control webhook with the official SDK (Ed25519 over `timestamp|raw body`, ±300 s) and then
 * checks the envelope shape. `rawBody` must be the bytes as received: re-serialised JSON never verifies.
 * A misconfigured public key throws instead of returning bad_signature, so it surfaces as a 500 and an alert
 * rather than every real webhook being quietly refused.
 */
export async function verifyTelnyxWebhook<S extends z.ZodType = typeof telnyxEventSchema>(
  rawBody: string,
  headers: IncomingHeaders,
  publicKeyBase64: string,
  /** The envelope expected: Call Control events by default; messaging events are signed the same way. */
  schema: S = telnyxEventSchema as unknown as S,
): Promise<WebhookVerification<z.infer<S>>> {
  if (!STRICT_BASE64.test(publicKeyBase64) || Buffer.from(publicKeyBase64, 'base64').length !== 32) {
    throw new Error('Telnyx public key must be the base64 of a raw 32-byte Ed25519 key');
  }
  const flat = normaliseHeaders(headers);
  if (!flat['telnyx-signature-ed25519'] || !flat['telnyx-timestamp']) return { ok: false, reason: 'missing_headers' };

  let parsed: unknown;
  try {
    parsed = await verifierFor(publicKeyBase64).webhooks.unwrap(rawBody, { headers: flat, key: publicKeyBase64 });
  } catch (err) {
    return { ok: false, reason: rejectionFor(err) };
  }
  const event = schema.safeParse(parsed);
  return event.success ? { ok: true, event: event.data } : { ok: false, reason: 'malformed' };
}

/**
 * The SDK throws one error class (TelnyxWebhookVerificationError, not exported from the package root) for
 * every failure, so the message is the only thing that tells them apart. A message we do not recognise is
 * treated as a bad signature: refusing is the safe default.
 */
function rejectionFor(err: unknown): WebhookRejection {
  if (err instanceof SyntaxError) return 'malformed'; // signature was fine, the body is not JSON
  const message = err instanceof Error ? err.message : '';
  if (/too old or too new/i.test(message)) return 'stale_timestamp';
  if (/missing required header|headers are required/i.test(message)) return 'missing_headers';
  if (/invalid timestamp format/i.test(message)) return 'malformed';
  return 'bad_signature';
}
