import { actionKey, apologyText, applyCallEvent, promptWithoutAlert, type CallAction, type CallEvent, type Leg } from '@dda/domain';
import { commandId, encodeClientState, isPermanentTelnyxError, telnyxErrorCode } from '@dda/telnyx';
import type { Alert } from '@dda/store';
import { scheduleDial } from '@dda/queues';
import type { CallDeps } from './call-deps.ts';
import type { CallRecord } from './call-record.ts';
import { textFor } from './prompt-texts.ts';
import { findRep } from './rep-directory.ts';
import { onCallFinished } from './call-finished.ts';
import { callBackSnoozeRound, onCallBackFinished, OPEN_OUTCOMES } from './call-back.ts';
import { noteAudio } from './call-watchdog.ts';

/** A command that cannot be carried out and never will be: the call is given up politely (giveUp in the machine). */
class CallCannotContinue extends Error {
  override name = 'CallCannotContinue';
}

type Performed = { ended?: Leg };

/**
 * Carries out the call's outbox in order, saving after each action so a crash resumes where it stopped.
 * Every Telnyx command carries a command_id derived from (call, step): a resend after a crash is ignored
 * by Telnyx instead of placing a second call or speaking twice. Runs under the call's lock.
 *
 * What Telnyx answers feeds back into the machine: a permanent refusal (a 4xx other than "call ended") or a
 * missing alert becomes a `failure` event, so the live legs hear an apology and are hung up; "call ended"
 * on a command to a leg we thought alive becomes that leg's hangup (its webhook may be lost or late).
 * `lastResort`: the call is being given up after retries ran out; every action is tried once, errors skipped.
 */
export async function runOutbox(deps: CallDeps, record: CallRecord, opts: { lastResort?: boolean } = {}): Promise<void> {
  // One read per alert per run: the outbox of one event is a handful of commands sent back to back.
  const loaded = new Map<string, Alert | null>();
  const log = deps.log.child({ alert_id: record.alertId, call_id: record.id });
  let guard = 0;
  while (record.outbox.length > 0) {
    const action = record.outbox[0]!;
    let feedback: CallEvent | null = null;
    try {
      // In a digest call the words and the AE follow the alert the VP is hearing about.
      const focusId = record.group[record.ctx.focus] ?? record.alertId;
      if (!loaded.has(focusId)) loaded.set(focusId, await deps.alerts.get(focusId));
      const alert = loaded.get(focusId) ?? null;
      if (!alert && needsAlert(action)) throw new CallCannotContinue(`the alert ${focusId} of this call could not be loaded`);
      const done = await perform(deps, record, alert, action);
      if (done.ended && !record.ctx.legs[done.ended]?.ended) {
        feedback = { type: 'hangup', leg: done.ended, cause: 'normal_clearing', answered: true };
      }
    } catch (err) {
      const reason = failureReason(action, err);
      if (opts.lastResort) {
        log.warn({ action: action.do, err: (err as Error).message }, 'command skipped while giving up the call');
      } else if (reason === null) {
        throw err; // worth retrying: the job goes back through backoff and the outbox resumes here
      } else {
        log.warn({ action: action.do, reason }, 'call cannot continue');
        feedback = { type: 'failure', reason };
      }
    }
    if (feedback && guard++ < 5) {
      // What was still queued was decided for a call that no longer stands; the machine decides afresh. A
      // refused prompt and the dropped ones will never play, so they leave the machine's pending prompts.
      const failed = feedback.type === 'failure' ? record.outbox : record.outbox.slice(1);
      feedback.unsent = failed.flatMap((a) =>
        a.do === 'speak' || a.do === 'gather' || a.do === 'answer' ? [{ leg: a.leg, step: a.step }] : [],
      );
      const t = applyCallEvent(record.ctx, feedback);
      record.outbox = t ? [...t.actions] : record.outbox.slice(1);
      if (t) record.ctx = t.ctx;
    } else {
      record.outbox.shift();
    }
    await deps.calls.save(record);
  }
}

/** null: retry later (rate limit, 5xx, no answer). A string: the call cannot go on, and why. */
function failureReason(action: CallAction, err: unknown): string | null {
  if (err instanceof CallCannotContinue) return err.message;
  if (!isPermanentTelnyxError(err)) return null;
  const code = telnyxErrorCode(err);
  const status = (err as { status?: number }).status;
  return `Telnyx refused ${telnyxAction(action)} (${status}${code ? ` ${code}` : ''})`;
}

/** Words about the deal and the AE's number come from the alert; the apology, notes and hangups do not need it. */
const needsAlert = (a: CallAction) =>
  ((a.do === 'speak' || a.do === 'gather') && promptWithoutAlert(a.prompt) === null) || a.do === 'answer' || a.do === 'dial_ae';

function telnyxAction(a: CallAction): string {
  switch (a.do) {
    case 'gather':
      return 'gather_using_speak';
    case 'answer':
      return 'speak';
    case 'dial_ae':
      return 'dial';
    default:
      return a.do;
  }
}

async function perform(deps: CallDeps, record: CallRecord, alert: Alert | null, action: CallAction): Promise<Performed> {
  const { telnyx, settings } = deps;
  const key = actionKey(action);
  const command_id = commandId(record.id, key);
  const state = (leg: Leg, step?: number) => encodeClientState({ callId: record.id, leg, step: step ?? record.ctx.legs[leg]?.step ?? 0 });
  const log = deps.log.child({ alert_id: record.alertId, call_id: record.id });
  const ccidOf = (leg: Leg) => record.ccid[leg];
  const snoozeMinutes = Math.round(settings.snoozeMs / 60_000);
  // Each alert transfers to the AE its own dial plan found (the routing document's reps, fixed at its first
  // dial); a record made before plans were kept per alert falls back to the rep directory by owner e-mail.
  const planned =
    record.aes?.[record.ctx.focus] ??
    (record.ctx.focus === 0 && record.ae.number ? { name: record.ae.name ?? '', phone: record.ae.number } : null);
  const rep = planned ?? (alert ? findRep(deps.directory, alert.deal.owner?.email) : null);
  const aeName = (planned ? planned.name || null : rep?.name) ?? alert?.deal.owner?.name ?? null;
  const endedOn = (leg: Leg, res: { ended?: true | undefined }): Performed => (res.ended ? { ended: leg } : {});

  switch (action.do) {
    case 'gather':
    case 'speak': {
      const ccid = ccidOf(action.leg);
      if (!ccid) return {};
      const text = alert ? textFor(action.prompt, alert, record, settings, aeName) : (promptWithoutAlert(action.prompt) ?? apologyText());
      const client_state = state(action.leg, action.step);
      const res =
        action.do === 'gather'
          ? await telnyx.gatherUsingSpeak(ccid, {
              payload: text,
              voice: settings.voice,
              valid_digits: action.validDigits,
              minimum_digits: 1,
              maximum_digits: action.maxDigits ?? 1,
              terminating_digit: '#',
              maximum_tries: 1,
              timeout_millis: settings.answerTimeoutMs,
              client_state,
              command_id,
            })
          : await telnyx.speak(ccid, {
              payload: text,
              voice: settings.voice,
              client_state,
              command_id,
              ...(action.cut ? { stop: 'all' } : {}),
            });
      noteAudio(record, settings, action.leg, text, { gather: action.do === 'gather', cut: action.do === 'speak' && action.cut === true });
      if (action.leg === 'vp' && record.vpAnsweredAt && record.deadAirMs === undefined) {
        record.deadAirMs = Date.now() - Date.parse(record.vpAnsweredAt);
        deps.metrics?.deadAir(record.deadAirMs);
      }
      if (alert)
        await deps.alerts.addTimeline(alert.id, 'said', {
          call_id: record.id,
          to: action.leg,
          prompt: action.prompt,
          text,
          ...(res.ended ? { call_ended: true } : {}),
        });
      log.info({ leg: action.leg, prompt: action.prompt, chars: text.length }, 'prompt sent');
      return endedOn(action.leg, res);
    }
    case 'answer': {
      const ccid = ccidOf('vp');
      if (!ccid || !alert) return {};
      const text = deps.answerQuestion ? await deps.answerQuestion(alert, action.question) : "I don't have that detail to hand.";
      const res = await telnyx.speak(ccid, {
        payload: text,
        voice: settings.voice,
        client_state: state('vp', action.step),
        command_id,
        ...(action.cut ? { stop: 'all' } : {}),
      });
      noteAudio(record, settings, 'vp', text, { gather: false, cut: action.cut === true });
      await deps.alerts.addTimeline(alert.id, 'said', {
        call_id: record.id,
        to: 'vp',
        prompt: 'answer',
        text,
        ...(res.ended ? { call_ended: true } : {}),
      });
      return endedOn('vp', res);
    }
    case 'gather_stop': {
      const ccid = ccidOf(action.leg);
      return ccid ? endedOn(action.leg, await telnyx.stopGather(ccid, { client_state: state(action.leg, action.step), command_id })) : {};
    }
    case 'transcription_start': {
      const ccid = ccidOf(action.leg);
      if (!ccid) return {};
      const res = await telnyx.startTranscription(ccid, {
        transcription_engine: 'Google',
        transcription_engine_config: {
          transcription_engine: 'Google',
          language: 'en',
          interim_results: false,
          hints: ['connect me', 'transfer me', 'repeat', 'remind me later', 'got it', 'dismiss', 'yes', 'no'],
        },
        transcription_tracks: 'inbound',
        client_state: state(action.leg),
        command_id,
      } as Parameters<typeof telnyx.startTranscription>[1]);
      return endedOn(action.leg, res);
    }
    case 'transcription_stop': {
      const ccid = ccidOf(action.leg);
      return ccid ? endedOn(action.leg, await telnyx.stopTranscription(ccid, { client_state: state(action.leg), command_id })) : {};
    }
    case 'dial_ae': {
      record.ae = { name: aeName, number: rep?.phone ?? null };
      if (!record.ae.number || !record.ccid.vp) return {};
      await deps.alerts.addTimeline(alert!.id, 'ae.dialing', { call_id: record.id, ae: record.ae.name });
      const leg = await telnyx.dial({
        connection_id: settings.connectionId,
        from: settings.from,
        to: record.ae.number,
        link_to: record.ccid.vp,
        answering_machine_detection: 'detect',
        timeout_secs: 25,
        webhook_url: settings.webhookUrl,
        client_state: state('ae', 0),
        command_id,
      });
      // A resent dial may be answered without ids: the AE leg's first webhook names it (its client_state says 'ae').
      record.ccid.ae ??= leg.callControlId;
      log.info({ leg: 'ae' }, 'AE dialled');
      return {};
    }
    case 'bridge': {
      if (!record.ccid.vp || !record.ccid.ae) throw new CallCannotContinue('the bridge has no account executive leg to join');
      const res = await telnyx.bridge(record.ccid.vp, {
        call_control_id_to_bridge_with: record.ccid.ae,
        park_after_unbridge: 'self',
        client_state: state('vp'),
        command_id,
      });
      return endedOn('vp', res);
    }
    case 'hangup': {
      const ccid = ccidOf(action.leg);
      if (!ccid) return {};
      try {
        await telnyx.hangup(ccid, { client_state: state(action.leg), command_id });
      } catch (err) {
        // A leg we cannot hang up is one we cannot do more for; a retryable error still goes back to backoff.
        if (!isPermanentTelnyxError(err)) throw err;
        log.warn({ leg: action.leg, err: (err as Error).message }, 'hangup refused');
      }
      return {};
    }
    case 'note': {
      // A call back with nothing open has no alert to write on.
      const on = alert?.id ?? record.alertId;
      if (on) await deps.alerts.addTimeline(on, action.event, { call_id: record.id, ...(action.detail ?? {}) });
      return {};
    }
    case 'outcome': {
      record.bridgedAt ??= new Date().toISOString();
      const focus = record.group[record.ctx.focus] ?? record.alertId;
      // Seen on the alert the moment the legs are joined; the conversation may go on for half an hour.
      // A call back revises the outcome of the missed call it answers.
      const revisable = record.kind === 'callback' ? OPEN_OUTCOMES : [];
      const reason = record.kind === 'callback' ? 'after a call back' : null;
      await deps.alerts.setOutcome(focus, record.callee.role === 'escalation' ? 'escalated' : action.result, reason, 'calling', revisable);
      return {};
    }
    case 'snooze': {
      const focus = record.group[record.ctx.focus] ?? record.alertId;
      // A call back's reminder is a new round of the alert it was on, not of the call back.
      const job =
        record.kind === 'callback'
          ? { alertId: focus, attempt: 0, round: callBackSnoozeRound(record), group: [] }
          : { alertId: record.alertId, attempt: 0, round: record.round + 1, group: record.group.slice(1) };
      await scheduleDial(deps.queues, job, { delayMs: deps.settings.snoozeMs });
      await deps.alerts.addTimeline(job.alertId, 'snoozed', { call_id: record.id, minutes: snoozeMinutes });
      return {};
    }
    case 'finish':
      if (record.kind === 'callback') await onCallBackFinished(deps, record, action.result, action.reason);
      else await onCallFinished(deps, record, action.result, action.reason);
      return {};
  }
}
