import { createHash, timingSafeEqual } from 'node:crypto';
import { newCallBackContext, type CallResult } from '@dda/domain';
import { commandId, encodeClientState } from '@dda/telnyx';
import type { Alert, AlertOutcome } from '@dda/store';
import type { CallDeps } from './call-deps.ts';
import type { CallRecord } from './call-record.ts';
import { dialPlanOf } from './alert-dial-plan.ts';
import { runOutbox } from './call-executor.ts';
import { armWatchdog } from './call-watchdog.ts';
import { followUpConcluded } from './alert-concluded.ts';

/** Outcomes that leave an alert open to its recipient: nobody heard it, or they asked to hear it later. */
export const OPEN_OUTCOMES: readonly AlertOutcome[] = ['no_answer', 'voicemail', 'failed', 'snoozed'];

/** What the ingress keeps of an incoming call.initiated (services/ingress/src/telnyx-job-payload.ts). */
export type IncomingCall = {
  ccid: string;
  /** The caller's number, read from its short-lived key; null when it expired. */
  from: string | null;
  attestation: string | null;
  validated: boolean | null;
};

/** One record per incoming call leg: a redelivered call.initiated finds it instead of answering twice. */
export function callBackId(ccid: string): string {
  return `callback-${createHash('sha256').update(ccid).digest('hex').slice(0, 24)}`;
}

/** A reminder asked for on a call back is its own round of that alert: numbered by the minute, far above the alert's own. */
export function callBackSnoozeRound(record: CallRecord): number {
  return 1000 + (Math.floor(Date.parse(record.createdAt) / 60_000) % 1_000_000);
}

function sameNumber(a: string, b: string): boolean {
  const x = Buffer.from(a.replace(/[^\d+]/g, ''));
  const y = Buffer.from(b.replace(/[^\d+]/g, ''));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The recipient of the routing in force whose phone is this number, if any. */
async function recipientByNumber(deps: CallDeps, from: string): Promise<{ id: string; name: string } | null> {
  if (!deps.routing) {
    return deps.settings.vpNumber && sameNumber(deps.settings.vpNumber, from) ? { id: 'vp', name: deps.settings.vpName } : null;
  }
  const { routing } = await deps.routing.current();
  const r = routing.recipients.find((x) => sameNumber(x.phone, from));
  return r ? { id: r.id, name: r.name } : null;
}

/** At most this many alerts are looked at, newest first: a call back is about the last day, not the archive. */
const SCAN_LIMIT = 500;

/**
 * The recipient's open alerts of the lookback window, newest first: alerts whose plan calls them and whose
 * outcome leaves them open (no answer, voicemail, failed, snoozed).
 */
export async function openAlertsOf(deps: CallDeps, recipientId: string, lookbackMs: number, now = Date.now()): Promise<Alert[]> {
  const out: Alert[] = [];
  let cursor: string | undefined;
  let scanned = 0;
  while (scanned < SCAN_LIMIT) {
    const page = await deps.alerts.list({ limit: 50, ...(cursor ? { cursor } : {}) });
    for (const a of page.alerts) {
      scanned += 1;
      if (Date.parse(a.created_at) < now - lookbackMs) return out;
      if (!a.outcome || !OPEN_OUTCOMES.includes(a.outcome)) continue;
      const plan = await deps.routing?.plans.get(a.id);
      const calls = plan ? plan.call.some((c) => c.id === recipientId) : recipientId === 'vp';
      if (calls) out.push(a);
    }
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

export type CallBackResult =
  | { answered: true; callId: string; open: number; pin: boolean }
  | { answered: false; callId: string; reason: string };

/**
 * A call to our number. Caller ID can be spoofed, so a number we do not know is rejected before anything is
 * said — not even a greeting. A known number is answered; when INBOUND_PIN is set and STIR/SHAKEN did not
 * attest the number A, the caller keys the PIN before hearing anything about a deal.
 */
export async function answerCallBack(deps: CallDeps, call: IncomingCall): Promise<CallBackResult> {
  const callId = callBackId(call.ccid);
  return deps.calls.withLock(callId, async () => {
    const existing = await deps.calls.get(callId);
    if (existing) {
      await runOutbox(deps, existing);
      return { answered: true, callId, open: existing.group.length, pin: existing.ctx.callBack?.pin ?? false };
    }
    const who = call.from ? await recipientByNumber(deps, call.from) : null;
    const log = deps.log.child({ call_id: callId });
    if (!who) {
      await deps.telnyx.reject(call.ccid, { cause: 'CALL_REJECTED', command_id: commandId(callId, 'reject') });
      log.warn({ from: call.from ? 'unknown number' : 'no caller number' }, 'call back rejected: not a recipient');
      return { answered: false, callId, reason: 'unknown_caller' };
    }
    const open = await openAlertsOf(deps, who.id, deps.settings.inboundLookbackMs);
    const plans = await Promise.all(open.map(async (a) => (await dialPlanOf(deps, a)).plan));
    const attested = call.attestation === 'A' && call.validated !== false;
    const pin = deps.settings.inboundPinSet && !attested;
    const record: CallRecord = {
      id: callId,
      kind: 'callback',
      alertId: open[0]?.id ?? '',
      group: open.map((a) => a.id),
      round: 0,
      attempt: 0,
      callee: { role: 'vp', number: call.from!, recipient: who.id, name: who.name },
      ae: { name: plans[0]?.ae?.name ?? open[0]?.deal.owner?.name ?? null, number: plans[0]?.ae?.phone ?? null },
      aes: plans.map((p) => p.ae),
      ccid: { vp: call.ccid, ae: null },
      ctx: newCallBackContext(
        plans.map((p) => Boolean(p.ae)),
        pin,
      ),
      outbox: [],
      waiting: 0,
      createdAt: new Date().toISOString(),
      version: 0,
    };
    await deps.calls.save(record);
    await deps.telnyx.answer(call.ccid, {
      client_state: encodeClientState({ callId, leg: 'vp', step: 0 }),
      command_id: commandId(callId, 'vp.answer'),
    });
    await armWatchdog(deps, record);
    log.info({ recipient: who.id, open: open.length, pin, attestation: call.attestation }, 'call back answered');
    return { answered: true, callId, open: open.length, pin };
  });
}

/** Call results that revise the outcome of the alert the caller acted on. */
const ACTED: ReadonlySet<CallResult> = new Set(['connected', 'acknowledged', 'ae_unavailable', 'snoozed']);

/**
 * The end of a call back: each alert the caller heard says so on its timeline; the one they acted on takes
 * the call's result as its outcome (the missed call's outcome is revised), the ones they moved past are
 * acknowledged, and each revised outcome gets its follow-ups (a note on the deal).
 */
export async function onCallBackFinished(deps: CallDeps, record: CallRecord, result: CallResult, reason: string | null): Promise<void> {
  const focus = record.ctx.focus;
  // A caller who never got past the PIN heard nothing, and changes nothing.
  const heard = record.ctx.callBack?.admitted ? record.group.slice(0, focus + 1) : [];
  const recipient = record.callee.recipient ?? 'vp';
  const name = record.callee.name ? { name: record.callee.name } : {};
  for (const [i, id] of heard.entries()) {
    await deps.alerts.addTimeline(id, 'callback.heard', { call_id: record.id, recipient, ...name, position: i, of: record.group.length });
    const own = i === focus;
    const r: CallResult = own ? result : 'acknowledged';
    await deps.alerts.addTimeline(id, 'call.ended', {
      call_id: record.id,
      callee: record.callee.role,
      recipient,
      ...name,
      attempt: 0,
      result: r,
      ...(own && reason ? { reason } : {}),
    });
    if (!ACTED.has(r)) continue;
    const why = own ? `after a call back${reason ? ` (${reason})` : ''}` : 'heard in a call back';
    await deps.alerts.setOutcome(id, r as AlertOutcome, why, 'completed', OPEN_OUTCOMES);
    if (own && record.bridgedAt)
      await deps.alerts.setTalkTime(id, Math.max(0, Math.round((Date.now() - Date.parse(record.bridgedAt)) / 1000)));
  }
  await followUpConcluded(deps, heard);
}
