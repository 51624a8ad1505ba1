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

export function maskPhonesDeep(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === 'string') return maskPhones(value);
  if (Array.isArray(value)) return value.map((v) => maskPhonesDeep(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskPhonesDeep(v, depth + 1);
    return out;
  }
  return value;
}
