import { applyCallEvent } from '@dda/domain';
import { decodeClientState } from '@dda/telnyx';
import type { CallEventJob } from '@dda/queues';
import type { CallDeps } from './call-deps.ts';
import { runOutbox } from './call-executor.ts';
import { toCallEvent } from './telnyx-to-call-event.ts';

export type ApplyResult =
  | { applied: true; callId: string; from: string; to: string }
  | { applied: false; callId?: string; reason: 'unknown_call' | 'duplicate' | 'no_effect' | 'informational' };

/** Timeline-worthy events the machine itself does not act on. */
const INFORMATIONAL: Record<string, string> = {
  'call.initiated': 'ringing',
};

/**
 * call-worker's job: one Telnyx event. Under the call's lock it is applied at most once (event ids are
 * stored with the new state in one write), in arrival order per call; an event that means nothing in the
 * current state (late, stale or repeated) changes nothing. Then the decided commands go out.
 */
export async function applyTelnyxEvent(deps: CallDeps, job: CallEventJob): Promise<ApplyResult> {
  const payload = job.payload;
  const state = decodeClientState(payload['client_state'] as string | null | undefined);
  const ccid = typeof payload['call_control_id'] === 'string' ? payload['call_control_id'] : null;
  const callId = state?.callId ?? (ccid ? await deps.calls.callIdByControlId(ccid) : null);
  if (!callId) return { applied: false, reason: 'unknown_call' };

  return deps.calls.withLock(callId, async () => {
    const record = await deps.calls.get(callId);
    if (!record) return { applied: false, callId, reason: 'unknown_call' };
    if (await deps.calls.eventApplied(callId, job.eventId)) {
      // Finish what an earlier run decided but may not have sent (crash between save and send).
      await runOutbox(deps, record);
      return { applied: false, callId, reason: 'duplicate' };
    }
    const leg = state?.leg ?? (ccid && ccid === record.ccid.ae ? 'ae' : 'vp');
    if (ccid && !record.ccid[leg]) record.ccid[leg] = ccid;

    if (job.eventType === 'call.answered' && leg === 'vp') record.vpAnsweredAt ??= job.receivedAt;
    const info = INFORMATIONAL[job.eventType];
    const event = toCallEvent(job.eventType, payload, state, leg);
    const transition = event ? applyCallEvent(record.ctx, event) : null;
    const from = record.ctx.state;
    if (transition) {
      record.ctx = transition.ctx;
      record.outbox.push(...transition.actions);
    }
    await deps.calls.save(record, job.eventId);
    if (info) await deps.alerts.addTimeline(record.alertId, `${leg}.${info}`, { call_id: callId, ...(payload['digit'] ? { digit: payload['digit'] } : {}) });
    if (event?.type === 'transcript') await deps.alerts.addTimeline(record.alertId, `${leg}.said`, { call_id: callId, text: event.text });
    await runOutbox(deps, record);
    if (!transition) return { applied: false, callId, reason: info ? 'informational' : 'no_effect' };
    deps.log.info({ alert_id: record.alertId, call_id: callId, event: job.eventType, leg, from, to: record.ctx.state }, 'call event applied');
    return { applied: true, callId, from, to: record.ctx.state };
  });
}
