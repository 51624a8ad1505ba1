import type { CallResult } from '@dda/domain';
import type { AlertOutcome } from '@dda/store';
import type { CallDeps } from './call-deps.ts';
import type { CallRecord } from './call-record.ts';

const REACHED: ReadonlySet<CallResult> = new Set(['connected', 'acknowledged', 'snoozed', 'ae_unavailable']);

/**
 * The end of one dial: frees the callee's line, decides the alert's outcome or its next attempt (retry the VP,
 * then the escalation numbers in order), and gives the line to the next alert waiting for it.
 */
export async function onCallFinished(deps: CallDeps, record: CallRecord, result: CallResult, reason: string | null): Promise<void> {
  const { alerts, calls, settings } = deps;
  for (const id of record.group) {
    await alerts.addTimeline(id, 'call.ended', { call_id: record.id, callee: record.callee.role, attempt: record.attempt, result, ...(reason ? { reason } : {}) });
  }
  // Free the line before scheduling a retry, so the retry can never find this very call still holding it;
  // whoever waited meanwhile is called after the outcome below is recorded.
  const waiters = await calls.releaseLineAndTakeWaiting(record.callee.number, record.id);

  if (result === 'failed') {
    // Our side could not drive the call (a command refused for good, retries spent): calling again would fail
    // the same way, so the alert ends here with the reason, and the apology was the last thing heard.
    for (const id of record.group) await alerts.setOutcome(id, 'failed', reason ?? 'the call could not continue', 'failed');
  } else if (REACHED.has(result)) {
    const escalated = record.callee.role === 'escalation';
    for (const [i, id] of record.group.entries()) {
      // The alert the VP acted on gets the result; the others of a digest were heard or announced.
      const own = i === record.ctx.focus;
      const r: CallResult = own ? result : 'acknowledged';
      const why = own ? reason : i < record.ctx.focus ? 'heard in a digest call' : 'announced in a digest call';
      const outcome: AlertOutcome = escalated ? 'escalated' : (r as AlertOutcome);
      const first = await alerts.setOutcome(id, outcome, escalated ? `escalation contact answered: ${r}${why ? ` (${why})` : ''}` : why, 'completed');
      // Connected was set at the bridge; the hangup adds how long they talked and completes the alert.
      if (own && record.bridgedAt) await alerts.setTalkTime(id, Math.max(0, Math.round((Date.now() - Date.parse(record.bridgedAt)) / 1000)));
      else if (!first) await alerts.setStatus(id, 'completed');
    }
  } else {
    const next = record.attempt + 1;
    if (hasAttempt(settings, next)) {
      const toEscalation = next > settings.retryAttempts;
      const delay = toEscalation ? 0 : settings.retryDelayMs;
      await deps.queues.byName.dials.add(
        'dialer.place-call',
        { alertId: record.alertId, attempt: next, round: record.round, group: record.group.slice(1) },
        { jobId: `dial-${record.alertId}-r${record.round}a${next}`, delay },
      );
      for (const id of record.group) await alerts.addTimeline(id, 'retry.scheduled', { attempt: next, callee: toEscalation ? 'escalation' : 'vp', in_seconds: Math.round(delay / 1000) });
    } else {
      const outcome: AlertOutcome = result === 'voicemail' ? 'voicemail' : 'no_answer';
      for (const id of record.group) await alerts.setOutcome(id, outcome, `nobody reached after ${record.attempt + 1} attempts${reason ? ` (last: ${reason})` : ''}`, 'completed');
    }
  }
  await handLineToNextAlert(deps, record, waiters);
}

/** Gives the callee's line back and starts the next call for whoever waited for it. */
export async function freeLine(deps: CallDeps, record: CallRecord): Promise<void> {
  await handLineToNextAlert(deps, record, await deps.calls.releaseLineAndTakeWaiting(record.callee.number, record.id));
}

export function hasAttempt(settings: CallDeps['settings'], attempt: number): boolean {
  return attempt <= settings.retryAttempts + settings.escalation.length;
}

/**
 * Alerts that waited for the line: one waiting → its own call; several → one digest call, largest first,
 * so an alert storm rings the VP once rather than once per deal.
 */
/** A waiting-list entry: which attempt of which alert was held back. */
export function waitingMember(alertId: string, round: number, attempt: number): string {
  return `${alertId}|${round}|${attempt}`;
}

/**
 * Alerts that waited for the line: one waiting → its own call (the attempt it was on); several → one digest
 * call, largest first, so an alert storm rings the VP once per call slot rather than once per deal.
 */
async function handLineToNextAlert(deps: CallDeps, record: CallRecord, members: string[]): Promise<void> {
  if (members.length === 0) return;
  const parsed = members.map((m) => {
    const [alertId, round, attempt] = m.split('|');
    return { alertId: alertId!, round: Number(round ?? 0), attempt: Number(attempt ?? 0) };
  });
  const loaded = await Promise.all(parsed.map(async (p) => ({ ...p, alert: await deps.alerts.get(p.alertId) })));
  const live = loaded.filter((x) => x.alert !== null && (!x.alert.outcome || x.alert.outcome === 'snoozed'));
  if (live.length === 0) return;
  live.sort((a, b) => (b.alert!.deal.amount ?? 0) - (a.alert!.deal.amount ?? 0) || a.alertId.localeCompare(b.alertId));
  const [primary, ...rest] = live;
  await deps.queues.byName.dials.add(
    'dialer.place-call',
    { alertId: primary!.alertId, attempt: primary!.attempt, round: primary!.round, group: rest.map((x) => x.alertId) },
    // A fresh id: an earlier dial job of the alert may still be retained, and re-adding its id would be a no-op.
    { jobId: `dial-${primary!.alertId}-r${primary!.round}a${primary!.attempt}-after-${record.id}` },
  );
}
