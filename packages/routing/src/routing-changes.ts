import { isDeepStrictEqual } from 'node:util';
import type { RoutingDocument } from './routing-schema.ts';

/**
 * One line a reviewer reads in the history: which recipients, routes and reps were added (+), removed (−)
 * or changed (~), and whether the routes were reordered (first match wins, so order is behaviour).
 */
export function summarizeRoutingChange(before: RoutingDocument | null, after: RoutingDocument): string {
  if (!before)
    return `first version: ${count(after.recipients.length, 'recipient')}, ${count(after.routes.length, 'route')}, ${count(after.reps.length, 'rep')}`;
  const parts = [
    diffBy('recipients', before.recipients, after.recipients, (r) => r.id),
    diffBy('routes', before.routes, after.routes, (r) => r.name),
    diffBy('reps', before.reps, after.reps, (r) => r.email.toLowerCase()),
  ].filter((p) => p !== '');
  const order = (d: RoutingDocument) =>
    d.routes.map((r) => r.name).filter((n) => before.routes.some((b) => b.name === n) && after.routes.some((a) => a.name === n));
  if (!isDeepStrictEqual(order(before), order(after))) parts.push('routes reordered');
  return parts.length ? parts.join('; ') : 'no change';
}

function diffBy<T>(label: string, before: T[], after: T[], key: (x: T) => string): string {
  const was = new Map(before.map((x) => [key(x), x]));
  const now = new Map(after.map((x) => [key(x), x]));
  const added = [...now.keys()].filter((k) => !was.has(k));
  const removed = [...was.keys()].filter((k) => !now.has(k));
  const changed = [...now.keys()].filter((k) => was.has(k) && !isDeepStrictEqual(was.get(k), now.get(k)));
  // Reps are many and their e-mails are personal data: counted, not named.
  const names = (xs: string[]) => (label === 'reps' ? String(xs.length) : xs.join(', '));
  const bits = [
    added.length ? `+${names(added)}` : '',
    removed.length ? `−${names(removed)}` : '',
    changed.length ? `~${names(changed)}` : '',
  ].filter(Boolean);
  return bits.length ? `${label} ${bits.join(' ')}` : '';
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
