import { UnrecoverableError } from 'bullmq';
import { applyCallEvent } from '@dda/domain';
import { commandId, decodeClientState, isPermanentTelnyxError } from '@dda/telnyx';
import type { CallDeps } from './call-deps.ts';
import { freeLine } from './call-finished.ts';
import { callIdFor, type CallRecord } from './call-record.ts';
import { runOutbox } from './call-executor.ts';
import { armWatchdog } from './call-watchdog.ts';
import { followUpConcluded } from './alert-concluded.ts';

/**
 * A Telnyx answer that will not change on a retry (a 4xx other than 408/429: bad number, bad connection id)
 * fails the job at once instead of burning its retries; rate limits and 5xx go back through backoff.
 */
export async function withTelnyxFailurePolicy<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isPermanentTelnyxError(err)) throw new UnrecoverableError(`Telnyx refused: ${(err as Error).message}`);
    throw err;
  }
}

/**
 * When an event's retries are spent the call cannot go on. Nobody is left on a silent line: the live legs
 * hear an apology and are hung up (each command tried once, whatever fails), the alert ends failed with the
 * reason, and the watchdog comes back to hang up whatever is still up if Telnyx did not answer now.
 */
export async function failCallOfEvent(deps: CallDeps, payload: Record<string, unknown>, reason: string): Promise<void> {
  const state = decodeClientState(payload['client_state'] as string | null | undefined);
  const ccid = typeof payload['call_control_id'] === 'string' ? payload['call_control_id'] : null;
  const callId = state?.callId ?? (ccid ? await deps.calls.callIdByControlId(ccid) : null);
  if (!callId) return;
  await deps.calls.withLock(callId, async () => {
    let record: CallRecord | null = null;
    try {
      record = await deps.calls.get(callId);
    } catch (err) {
      deps.log.error({ call_id: callId, err: (err as Error).message }, 'call record cannot be read');
    }
    if (!record) {
      // Nothing left to drive the call with: at least the leg that spoke to us does not stay open.
      if (ccid) await deps.telnyx.hangup(ccid, { command_id: commandId(callId, 'lost.hangup') }).catch(() => undefined);
      return;
    }
    const t = applyCallEvent(record.ctx, { type: 'failure', reason });
    if (t) {
      record.ctx = t.ctx;
      record.outbox = [...t.actions];
      await deps.calls.save(record);
      await runOutbox(deps, record, { lastResort: true });
      await armWatchdog(deps, record);
    }
    // The machine's finish sets the outcome when it ran; when it did not (the apology still plays, or Telnyx
    // is down) the alert says why at once, and the line is freed when the call ends (by the watchdog at worst).
    for (const id of record.group) await deps.alerts.setOutcome(id, 'failed', reason, 'failed');
    await followUpConcluded(deps, record.group);
  });
}

/** A dial that cannot be placed: the alert (and any digest partners) say why, and the line goes to the next. */
export async function failDial(
  deps: CallDeps,
  job: { alertId: string; round: number; attempt: number; group?: string[] },
  reason: string,
): Promise<void> {
  const record = await deps.calls.get(callIdFor(job.alertId, job.round, job.attempt));
  const group = record?.group ?? [job.alertId, ...(job.group ?? [])];
  for (const id of group) await deps.alerts.setOutcome(id, 'failed', reason, 'failed');
  await followUpConcluded(deps, group);
  if (record) await freeLine(deps, record);
}
