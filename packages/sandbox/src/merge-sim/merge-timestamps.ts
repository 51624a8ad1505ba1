/**
 * Merge stamps records with microsecond precision ("2025-11-24T16:42:55.918204Z"). Filters such as
 * modified_after compare strictly, so the simulator keeps microseconds instead of rounding to Date's ms.
 */

export function formatMicros(micros: number): string {
  const whole = new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19);
  return `${whole}.${String(Math.floor(micros) % 1_000_000).padStart(6, '0')}Z`;
}

const ISO = /^(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Microseconds since the epoch, or null when the text is not an ISO 8601 date/time. */
export function parseMicros(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, main = '', frac = '', zone = 'Z'] = m;
  const ms = Date.parse(`${main.replace(' ', 'T')}${main.length > 10 ? zone : ''}`);
  if (Number.isNaN(ms)) return null;
  return ms * 1000 + Number(frac.padEnd(6, '0').slice(0, 6));
}

/** Strictly increasing stamps, so two edits in one millisecond still order and still pass modified_after. */
export function createMergeClock(now: () => number = Date.now): () => string {
  let last = 0;
  return () => {
    last = Math.max(now() * 1000, last + 1);
    return formatMicros(last);
  };
}
