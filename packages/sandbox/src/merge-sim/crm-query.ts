import { CrmSimError } from './sim-errors.ts';
import { formatMicros, parseMicros } from './merge-timestamps.ts';

/** Django's QueryDict.get answers the last value of a repeated parameter. */
export function queryOf(rawUrl: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(rawUrl, 'http://sim.invalid').searchParams) out[k] = v;
  return out;
}

export function expandSet(raw: string | undefined): Set<string> {
  return new Set(
    (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export const isTrue = (raw: string | undefined) => raw !== undefined && /^(true|1)$/i.test(raw);

/** A bad filter value is a 400 naming the parameter, in django-filter's shape. */
export function dateParam(query: Record<string, string>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const micros = parseMicros(raw);
  if (micros === null) throw new CrmSimError(400, `${name}: Enter a valid date/time.`, { [name]: ['Enter a valid date/time.'] });
  return micros;
}

export function choiceParam<T extends string>(query: Record<string, string>, name: string, choices: readonly T[]): T | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    const msg = `Select a valid choice. ${raw} is not one of the available choices.`;
    throw new CrmSimError(400, `${name}: ${msg}`, { [name]: [msg] });
  }
  return raw as T;
}

/** Sort key for newest-first lists: the stamp normalised to one format, then the id to break ties. */
export function newestFirstKey(stamp: string | null, id: string): string {
  const micros = stamp === null ? null : parseMicros(stamp);
  return `${micros === null ? '0000' : formatMicros(micros)}|${id}`;
}

export const micros = (stamp: string | null | undefined): number | null => (stamp ? parseMicros(stamp) : null);
