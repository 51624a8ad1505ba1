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
  await alerts.addTimeline(record.alertId, 'call.ended', { call_id: record.id, callee: record.callee.role, attempt: record.attempt, result, ...(reason ? { reason } : {}) });
  await calls.releaseLine(record.callee.number, record.id);

  if (REACHED.has(result)) {
    const outcome: AlertOutcome = record.callee.role === 'escalation' ? 'escalated' : (result as AlertOutcome);
    const why = record.callee.role === 'escalation' ? `escalation contact answered: ${result}${reason ? ` (${reason})` : ''}` : reason;
    await alerts.setOutcome(record.alertId, outcome, why, 'completed');
  } else {
    const next = record.attempt + 1;
    if (hasAttempt(settings, next)) {
      const toEscalation = next > settings.retryAttempts;
      const delay = toEscalation ? 0 : settings.retryDelayMs;
      await deps.queues.byName.dials.add(
        'dialer.place-call',
        { alertId: record.alertId, attempt: next, round: record.round },
        { jobId: `dial-${record.alertId}-r${record.round}a${next}`, delay },
      );
      await alerts.addTimeline(record.alertId, 'retry.scheduled', { attempt: next, callee: toEscalation ? 'escalation' : 'vp', in_seconds: Math.round(delay / 1000) });
    } else {
      const outcome: AlertOutcome = result === 'voicemail' ? 'voicemail' : result === 'failed' ? 'failed' : 'no_answer';
      await alerts.setOutcome(record.alertId, outcome, `nobody reached after ${record.attempt + 1} attempts${reason ? ` (last: ${reason})` : ''}`, 'completed');
    }
  }
  await handLineToNextAlert(deps, record);
}

export function hasAttempt(settings: CallDeps['settings'], attempt: number): boolean {
  return attempt <= settings.retryAttempts + settings.escalation.length;
}

async function handLineToNextAlert(deps: CallDeps, record: CallRecord): Promise<void> {
  const member = await deps.calls.popWaiting(record.callee.number);
  if (!member) return;
  const [alertId, round, attempt] = member.split('|');
  if (!alertId) return;
  await deps.queues.byName.dials.add(
    'dialer.place-call',
    { alertId, attempt: Number(attempt ?? 0), round: Number(round ?? 0) },
    // A fresh id: the alert's first dial job is still retained, and re-adding its id would be a no-op.
    { jobId: `dial-${alertId}-r${round}a${attempt}-after-${record.id}` },
  );
}
