import type { CallResult } from '@dda/domain';
import type { DialPlan, PlannedRecipient } from '@dda/routing';
import type { AlertOutcome } from '@dda/store';
import type { CallRecord } from './call-record.ts';

/*
 * The dial ladder: who an attempt rings, and what follows each call's result. The alert's dial plan lists its
 * route's recipients in order; each is tried `tries` times (1 + CALL_RETRY_ATTEMPTS unless the recipient says
 * otherwise), CALL_RETRY_DELAY_SECONDS apart, then the next is rung at once. The first recipient is the
 * primary ('vp'); a later one answering makes the alert `escalated`.
 * Job ids and scheduling live with the queue catalog (packages/queues/src/dial-jobs.ts).
 */

export type Callee = CallRecord['callee'];

type Rung = { index: number; recipient: PlannedRecipient };

/** Attempt n counts through every try of every recipient, in the plan's order. */
function rungOf(plan: DialPlan, attempt: number): Rung | null {
  let left = attempt;
  for (const [index, recipient] of plan.call.entries()) {
    if (left < recipient.tries) return { index, recipient };
    left -= recipient.tries;
  }
  return null;
}

const roleOf = (index: number): Callee['role'] => (index === 0 ? 'vp' : 'escalation');

/** Which recipient an attempt rings, or null when the ladder has no such rung. */
export function calleeFor(plan: DialPlan, attempt: number): Callee | null {
  const rung = rungOf(plan, attempt);
  return rung ? { role: roleOf(rung.index), number: rung.recipient.phone, recipient: rung.recipient.id, name: rung.recipient.name } : null;
}

export function hasAttempt(plan: DialPlan, attempt: number): boolean {
  return rungOf(plan, attempt) !== null;
}

/** Results that mean a person was reached: the ladder stops and the alert takes the result. */
const REACHED: ReadonlySet<CallResult> = new Set(['connected', 'acknowledged', 'snoozed', 'ae_unavailable']);

export type AfterCall =
  | { kind: 'reached'; escalated: boolean }
  /** Our side could not drive the call: calling again would fail the same way. */
  | { kind: 'failed' }
  | { kind: 'retry'; attempt: number; callee: Callee['role']; recipient: string; delayMs: number }
  | { kind: 'exhausted'; outcome: Extract<AlertOutcome, 'voicemail' | 'no_answer'> };

/** What follows a call that ended with `result` on `attempt`. */
export function nextAfter(plan: DialPlan, retryDelayMs: number, result: CallResult, attempt: number, callee: Callee['role']): AfterCall {
  if (result === 'failed') return { kind: 'failed' };
  if (REACHED.has(result)) return { kind: 'reached', escalated: callee === 'escalation' };
  const next = rungOf(plan, attempt + 1);
  if (next) {
    // Another try of the same person waits; the next person in the order is rung at once.
    const same = rungOf(plan, attempt)?.index === next.index;
    return {
      kind: 'retry',
      attempt: attempt + 1,
      callee: roleOf(next.index),
      recipient: next.recipient.id,
      delayMs: same ? retryDelayMs : 0,
    };
  }
  return { kind: 'exhausted', outcome: result === 'voicemail' ? 'voicemail' : 'no_answer' };
}

/**
 * The attempt at which a recipient's tries begin: where a new round starts when that recipient asked to be
 * reminded later, so the reminder rings the person who snoozed rather than the top of the route. 0 when the
 * recipient is not in the plan.
 */
export function firstAttemptOf(plan: DialPlan, recipientId: string | undefined): number {
  let attempt = 0;
  for (const r of plan.call) {
    if (r.id === recipientId) return attempt;
    attempt += r.tries;
  }
  return 0;
}
