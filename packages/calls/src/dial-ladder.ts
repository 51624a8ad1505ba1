import type { CallResult } from '@dda/domain';
import type { AlertOutcome } from '@dda/store';
import type { CallSettings } from './call-deps.ts';
import type { CallRecord } from './call-record.ts';

/*
 * The dial ladder: who an attempt rings, and what follows each call's result. The VP is tried first
 * (1 + CALL_RETRY_ATTEMPTS tries, CALL_RETRY_DELAY_SECONDS apart), then each escalation number once, at once.
 * Job ids and scheduling live with the queue catalog (packages/queues/src/dial-jobs.ts).
 */

export type Callee = CallRecord['callee'];

/** Which number an attempt rings, or null when the ladder has no such rung. */
export function calleeFor(settings: CallSettings, attempt: number): Callee | null {
  if (attempt <= settings.retryAttempts) return settings.vpNumber ? { role: 'vp', number: settings.vpNumber } : null;
  const n = settings.escalation[attempt - settings.retryAttempts - 1];
  return n ? { role: 'escalation', number: n } : null;
}

export function hasAttempt(settings: CallSettings, attempt: number): boolean {
  return attempt <= settings.retryAttempts + settings.escalation.length;
}

/** Results that mean a person was reached: the ladder stops and the alert takes the result. */
const REACHED: ReadonlySet<CallResult> = new Set(['connected', 'acknowledged', 'snoozed', 'ae_unavailable']);

export type AfterCall =
  | { kind: 'reached'; escalated: boolean }
  /** Our side could not drive the call: calling again would fail the same way. */
  | { kind: 'failed' }
  | { kind: 'retry'; attempt: number; callee: Callee['role']; delayMs: number }
  | { kind: 'exhausted'; outcome: Extract<AlertOutcome, 'voicemail' | 'no_answer'> };

/** What follows a call that ended with `result` on `attempt`. */
export function nextAfter(settings: CallSettings, result: CallResult, attempt: number, callee: Callee['role']): AfterCall {
  if (result === 'failed') return { kind: 'failed' };
  if (REACHED.has(result)) return { kind: 'reached', escalated: callee === 'escalation' };
  const next = attempt + 1;
  if (hasAttempt(settings, next)) {
    const toEscalation = next > settings.retryAttempts;
    return { kind: 'retry', attempt: next, callee: toEscalation ? 'escalation' : 'vp', delayMs: toEscalation ? 0 : settings.retryDelayMs };
  }
  return { kind: 'exhausted', outcome: result === 'voicemail' ? 'voicemail' : 'no_answer' };
}
