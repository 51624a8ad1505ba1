import type { Alert, AlertOutcome, AlertsRepository } from '@dda/store';

export const OUTCOME_FILTERS = [
  'connected',
  'acknowledged',
  'snoozed',
  'ae_unavailable',
  'voicemail',
  'no_answer',
  'escalated',
  'failed',
  'none',
] as const satisfies readonly (AlertOutcome | 'none')[];
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

export type AlertQuery = { limit: number; cursor?: string; outcome?: OutcomeFilter; from?: Date; to?: Date };

/** Alert ids start with their creation time in base 36 (store/ids.ts), so a date is also an id bound. */
function idAt(date: Date): string {
  return `al_${Math.max(0, date.getTime()).toString(36).padStart(9, '0')}`;
}

/** However rare the outcome asked for, one request reads at most this many alerts; the cursor goes on from there. */
const MAX_SCANNED = 1000;

/**
 * The history page's filters over the newest-first index: the date range narrows the index range itself, the
 * outcome is checked per alert. A page may come back short with a cursor when the scan limit was reached.
 */
export async function findAlerts(alerts: AlertsRepository, q: AlertQuery): Promise<{ alerts: Alert[]; next_cursor: string | null }> {
  if (!q.outcome && !q.from && !q.to) return alerts.list({ limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
  const toId = q.to ? idAt(q.to) : undefined;
  // biome-ignore lint/complexity/useMathMinMax: the ids are strings, ordered as strings
  let cursor = q.cursor && toId ? (q.cursor < toId ? q.cursor : toId) : (q.cursor ?? toId);
  const fromId = q.from ? idAt(q.from) : undefined;
  const found: Alert[] = [];
  let scanned = 0;
  for (;;) {
    const page = await alerts.list({ limit: Math.min(100, MAX_SCANNED - scanned), ...(cursor ? { cursor } : {}) });
    for (const a of page.alerts) {
      if (fromId && a.id < fromId) return { alerts: found, next_cursor: null };
      scanned++;
      cursor = a.id;
      if (!q.outcome || (q.outcome === 'none' ? a.outcome === null : a.outcome === q.outcome)) found.push(a);
      if (found.length === q.limit) return { alerts: found, next_cursor: a.id };
    }
    if (!page.next_cursor) return { alerts: found, next_cursor: null };
    cursor = page.next_cursor;
    if (scanned >= MAX_SCANNED) return { alerts: found, next_cursor: cursor };
  }
}
