/**
 * client_state is echoed back (base64) in every webhook of a leg. It carries only our own call id, the leg
 * and a step counter: never phone numbers or names (it is encoded, not encrypted, and lands in Telnyx logs).
 * Everything else about the call is looked up server-side by callId.
 */
export type Leg = 'vp' | 'ae';
export type ClientState = { callId: string; leg: Leg; step: number };

const CALL_ID = /^[A-Za-z0-9_:-]{1,80}$/;
const DECODED = /^([A-Za-z0-9_:-]{1,80})\.(vp|ae)\.(0|[1-9]\d{0,15})$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function encodeClientState(s: ClientState): string {
  if (!CALL_ID.test(s.callId)) throw new TypeError('client_state callId must be 1-80 chars of [A-Za-z0-9_:-]');
  if (s.leg !== 'vp' && s.leg !== 'ae') throw new TypeError('client_state leg must be vp or ae');
  if (!Number.isSafeInteger(s.step) || s.step < 0) throw new TypeError('client_state step must be a non-negative integer');
  // Plain base64 without line breaks: Telnyx is reported to truncate client_state at a newline.
  return Buffer.from(`${s.callId}.${s.leg}.${s.step}`, 'utf8').toString('base64');
}

/** Anything that is not exactly what encodeClientState produces is null: webhooks are input, not trusted. */
export function decodeClientState(b64: string | null | undefined): ClientState | null {
  if (typeof b64 !== 'string' || b64.length === 0 || b64.length > 200 || !BASE64.test(b64)) return null;
  const m = DECODED.exec(Buffer.from(b64, 'base64').toString('utf8'));
  if (!m) return null;
  const step = Number(m[3]);
  if (!Number.isSafeInteger(step)) return null;
  return { callId: m[1]!, leg: m[2] as Leg, step };
}
