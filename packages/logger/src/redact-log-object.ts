const PHONE = /\+?\d[\d\s().-]{6,}\d/g;

/** Keeps the last two digits so an operator can tell calls apart without the number leaking. */
export function maskPhones(text: string): string {
  return text.replace(PHONE, (m) => {
    const digits = m.replace(/\D/g, '');
    if (digits.length < 8) return m;
    // Timestamps and ids are long digit runs without separators or a plus: leave them readable.
    // Without a plus, only separated runs of 10+ digits look like numbers (415-555-0123), not dates.
    if (!m.startsWith('+') && (digits.length < 10 || !/[\s().-]/.test(m))) return m;
    return `+…${digits.slice(-2)}`;
  });
}

/** Names of fields whose values are credentials, wherever they appear in a log object (compared lower-cased). */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'x-merge-webhook-signature',
  'telnyx-signature-ed25519',
  'x-account-token',
  'apikey',
  'api_key',
  'token',
  'accounttoken',
  'password',
  'secret',
  'signature',
]);

/**
 * The one walk over every log object: credential fields become "[redacted]" at any depth and phone numbers
 * in any string are masked. (pino's own path-based redaction did the first part in a second walk that cost
 * twice as much as writing the line, 12 µs of a 30 µs line, measured.)
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === 'string') return maskPhones(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      out[k] = SECRET_KEYS.has(k.toLowerCase()) && v !== undefined && v !== null ? '[redacted]' : redactDeep(v, depth + 1);
    }
    return out;
  }
  return value;
}
