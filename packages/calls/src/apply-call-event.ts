import { applyCallEvent } from '@dda/domain';
import { commandId, decodeClientState } from '@dda/telnyx';
import type { CallEventJob } from '@dda/queues';
import type { CallDeps } from './call-deps.ts';
import { runOutbox } from './call-executor.ts';
import { armWatchdog } from './call-watchdog.ts';
import { toCallEvent } from './telnyx-to-call-event.ts';
import { answerCallBack, type IncomingCall } from './call-back.ts';

export type ApplyResult =
  | { applied: true; callId: string; from: string; to: string }
  | { applied: false; callId?: string; reason: 'unknown_call' | 'duplicate' | 'no_effect' | 'informational' | 'call_back' };

/** Timeline-worthy events the machine itself does not act on. */
const INFORMATIONAL: Record<string, 'ringing'> = {
  'call.initiated': 'ringing',
};

/**
 * call-worker's job: one Telnyx event. Under the call's lock it is applied at most once (event ids are
 * stored with the new state in one write), in arrival order per call; an event that means nothing in the
 * current state (late, stale or repeated) changes nothing. Then the decided commands go out and the
 * watchdog is re-armed for the call's new step.
 */
export async function applyTelnyxEvent(deps: CallDeps, job: CallEventJob): Promise<ApplyResult> {
  const { payload, transcriptKey } = await withTranscript(deps, job.payload);
  const state = decodeClientState(payload['client_state'] as string | null | undefined);
  const ccid = typeof payload['call_control_id'] === 'string' ? payload['call_control_id'] : null;
  if (!state && ccid && job.eventType === 'call.initiated' && payload['direction'] === 'incoming') {
    const r = await answerCallBack(deps, await incomingCallOf(deps, ccid, payload));
    return { applied: false, callId: r.callId, reason: 'call_back' };
  }
  const callId = state?.callId ?? (ccid ? await deps.calls.callIdByControlId(ccid) : null);
  if (!callId) return { applied: false, reason: 'unknown_call' };

  return deps.calls.withLock(callId, async () => {
    const record = await deps.calls.get(callId);
    if (!record) {
      await hangUpOrphan(deps, job, ccid, callId);
      return { applied: false, callId, reason: 'unknown_call' };
    }
    if (await deps.calls.eventApplied(callId, job.eventId)) {
      // Finish what an earlier run decided but may not have sent (crash between save and send).
      await runOutbox(deps, record);
      if (transcriptKey) await deps.queues.redis.del(transcriptKey);
      return { applied: false, callId, reason: 'duplicate' };
    }
    const leg = state?.leg ?? (ccid && ccid === record.ccid.ae ? 'ae' : 'vp');
    // A dial answered without ids (a resend Telnyx ignored) leaves the leg to be named by its first webhook.
    if (ccid && !record.ccid[leg]) record.ccid[leg] = ccid;

    if (job.eventType === 'call.answered' && leg === 'vp') record.vpAnsweredAt ??= job.receivedAt;
    const info = INFORMATIONAL[job.eventType];
    const event = toCallEvent(job.eventType, payload, leg);
    const transition = event ? applyCallEvent(record.ctx, event) : null;
    const from = record.ctx.state;
    if (transition) {
      record.ctx = transition.ctx;
      record.outbox.push(...transition.actions);
    }
    await deps.calls.save(record, job.eventId);
    // A call back with nothing open has no alert to write on.
    if (info && record.alertId) await deps.alerts.addTimeline(record.alertId, `${leg}.${info}`, { call_id: callId });
    if (event?.type === 'transcript' && record.alertId)
      await deps.alerts.addTimeline(record.alertId, `${leg}.said`, { call_id: callId, text: event.text });
    // The words are on the timeline now, their only home: the ingress's copy goes.
    if (transcriptKey) await deps.queues.redis.del(transcriptKey);
    await runOutbox(deps, record);
    if (transition) await armWatchdog(deps, record);
    if (!transition) return { applied: false, callId, reason: info ? 'informational' : 'no_effect' };
    deps.log.info(
      { alert_id: record.alertId, call_id: callId, event: job.eventType, leg, from, to: record.ctx.state },
      'call event applied',
    );
    return { applied: true, callId, from, to: record.ctx.state };
  });
}

/**
 * A leg of ours (its client_state is ours) whose call record cannot be found: nothing can drive it, so it
 * is hung up rather than left open on Telnyx's side until its time limit.
 */
async function hangUpOrphan(deps: CallDeps, job: CallEventJob, ccid: string | null, callId: string): Promise<void> {
  if (!ccid || job.eventType === 'call.hangup') return;
  deps.log.warn({ call_id: callId, event: job.eventType }, 'event for a call with no record: hanging the leg up');
  await deps.telnyx.hangup(ccid, { command_id: commandId(callId, 'orphan.hangup') }).catch((err: Error) => {
    deps.log.warn({ call_id: callId, err: err.message }, 'could not hang up a leg with no record');
  });
}

/**
 * The ingress keeps what the VP said out of the job (jobs outlive the call): the words wait under a key the
 * payload names (services/ingress/src/telnyx-job-payload.ts). Only keys under this queue's transcript
 * prefix are read. A missing key (expired) leaves no transcript, which the machine ignores.
 */
async function withTranscript(
  deps: CallDeps,
  payload: CallEventJob['payload'],
): Promise<{ payload: CallEventJob['payload']; transcriptKey?: string }> {
  const t = payload['transcription_data'] as { transcript_key?: unknown; is_final?: unknown } | undefined;
  const key = t?.transcript_key;
  if (typeof key !== 'string' || !key.startsWith(`${deps.queues.byName['call-events'].qualifiedName}:transcript:`)) return { payload };
  const transcript = await deps.queues.redis.get(key);
  return {
    payload: { ...payload, transcription_data: { is_final: t!.is_final, ...(transcript === null ? {} : { transcript }) } },
    transcriptKey: key,
  };
}

/**
 * The caller's number waits under a short-lived key the ingress named (the job holds no phone number); it
 * is read once here and deleted.
 */
async function incomingCallOf(deps: CallDeps, ccid: string, payload: CallEventJob['payload']): Promise<IncomingCall> {
  const key = payload['caller_key'];
  let from: string | null = null;
  if (typeof key === 'string' && key.startsWith(`${deps.queues.byName['call-events'].qualifiedName}:caller:`)) {
    from = await deps.queues.redis.get(key);
    await deps.queues.redis.del(key);
  }
  const attestation = payload['shaken_stir_attestation'];
  const validated = payload['shaken_stir_validated'];
  return {
    ccid,
    from,
    attestation: typeof attestation === 'string' ? attestation : null,
    validated: typeof validated === 'boolean' ? validated : null,
  };
}
