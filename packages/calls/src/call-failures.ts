import { UnrecoverableError } from 'bullmq';
import { decodeClientState, isPermanentTelnyxError } from '@dda/telnyx';
import type { CallDeps } from './call-deps.ts';
import { freeLine } from './call-finished.ts';
import { callIdFor } from './call-record.ts';

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

/** When an event's retries are spent the call cannot go on: the alert says so instead of hanging in "calling". */
export async function failCallOfEvent(deps: CallDeps, payload: Record<string, unknown>, reason: string): Promise<void> {
  const state = decodeClientState(payload['client_state'] as string | null | undefined);
  const ccid = typeof payload['call_control_id'] === 'string' ? payload['call_control_id'] : null;
  const callId = state?.callId ?? (ccid ? await deps.calls.callIdByControlId(ccid) : null);
  const record = callId ? await deps.calls.get(callId) : null;
  if (!record) return;
  for (const id of record.group) await deps.alerts.setOutcome(id, 'failed', reason, 'failed');
  await freeLine(deps, record);
}

/** A dial that cannot be placed: the alert (and any digest partners) say why, and the line goes to the next. */
export async function failDial(deps: CallDeps, job: { alertId: string; round: number; attempt: number; group?: string[] }, reason: string): Promise<void> {
  const record = await deps.calls.get(callIdFor(job.alertId, job.round, job.attempt));
  for (const id of record?.group ?? [job.alertId, ...(job.group ?? [])]) await deps.alerts.setOutcome(id, 'failed', reason, 'failed');
  if (record) await freeLine(deps, record);
}
