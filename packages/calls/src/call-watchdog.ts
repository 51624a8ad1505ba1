import { applyCallEvent, type CallState, type Leg } from '@dda/domain';
import { enqueue, type CallWatchdogJob } from '@dda/queues';
import type { CallDeps, CallSettings } from './call-deps.ts';
import type { CallRecord } from './call-record.ts';
import { runOutbox } from './call-executor.ts';

/** A prompt was sent: the leg is busy until our estimate of its end (a gather also waits for its answer). */
export function noteAudio(
  record: CallRecord,
  settings: CallSettings,
  leg: Leg,
  text: string,
  how: { gather: boolean; cut: boolean },
): void {
  const now = Date.now();
  const until = (record.audioUntil ??= { vp: 0, ae: 0 });
  // A cut starts from now; otherwise Telnyx queues the prompt behind what still plays.
  const from = how.cut ? now : Math.max(now, until[leg]);
  until[leg] = from + text.length * settings.speechMsPerChar + (how.gather ? settings.answerTimeoutMs : 0);
}

/** How long the AE leg may ring (the dial's timeout_secs) before the transfer counts as stalled. */
export const AE_RING_SECS = 25;
/** A machine's greeting may run long; the message waits for it this long at most. */
const GREETING_MAX_MS = 20_000;

/**
 * When the watchdog should look at the call again, in ms from now, or null when nothing is to be watched
 * (the call ended, or the VP and the AE are talking). An answered leg must always be playing something,
 * awaiting an answer, or waiting on a ringing leg; the watchdog fires CALL_STALL_SECONDS after the latest
 * of those should have ended, which also covers a webhook Telnyx never delivered.
 */
export function watchdogDelayMs(record: CallRecord, settings: CallSettings, now = Date.now()): number | null {
  const audioLeft = (leg: Leg) => Math.max(0, (record.audioUntil?.[leg] ?? 0) - now);
  const byState: Record<CallState, number | null> = {
    dialing: settings.ringTimeoutSecs * 1000,
    // Telnyx confirms an answer in moments; the caller is already on the line, so no ring time is added.
    answering: 0,
    pin: audioLeft('vp'),
    briefing: audioLeft('vp'),
    voicemail_greeting: Math.max(audioLeft('vp'), GREETING_MAX_MS),
    voicemail_message: audioLeft('vp'),
    ae_ringing: AE_RING_SECS * 1000,
    ae_whisper: audioLeft('ae'),
    bridging: 0,
    closing: audioLeft('vp'),
    bridged: null,
    ended: null,
  };
  const wait = byState[record.ctx.state];
  return wait === null ? null : wait + settings.stallMs;
}

/** Arms the watchdog for the call's current tick: a delayed job, so it survives a restart of every worker. */
export async function armWatchdog(deps: CallDeps, record: CallRecord): Promise<void> {
  const delay = watchdogDelayMs(record, deps.settings);
  if (delay === null) return;
  const tick = record.ctx.tick;
  await enqueue(
    deps.queues,
    'call-watchdog',
    { callId: record.id, tick },
    { jobId: `watchdog-${record.id}-t${tick}`, delay: Math.ceil(delay) },
  );
}

export type WatchdogResult = { fired: boolean; callId: string; state?: CallState };

/**
 * The watchdog's job: if the call is still at the tick it was armed at, nothing happened for longer than its
 * prompts could take. The machine decides what a stall means in its state (re-prompt once, then close).
 */
export async function runWatchdog(deps: CallDeps, job: CallWatchdogJob): Promise<WatchdogResult> {
  return deps.calls.withLock(job.callId, async () => {
    const record = await deps.calls.get(job.callId);
    if (!record || record.ctx.tick !== job.tick || record.ctx.state === 'ended') return { fired: false, callId: job.callId };
    const from = record.ctx.state;
    const t = applyCallEvent(record.ctx, { type: 'stall' });
    if (!t) return { fired: false, callId: job.callId };
    record.ctx = t.ctx;
    record.outbox.push(...t.actions);
    await deps.calls.save(record);
    deps.log.warn({ alert_id: record.alertId, call_id: record.id, from, to: record.ctx.state }, 'call stalled: the watchdog stepped in');
    await runOutbox(deps, record);
    await armWatchdog(deps, record);
    return { fired: true, callId: job.callId, state: record.ctx.state };
  });
}
