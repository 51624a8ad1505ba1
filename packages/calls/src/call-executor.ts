import { actionKey, type CallAction, type Leg } from '@dda/domain';
import { commandId, encodeClientState } from '@dda/telnyx';
import type { Alert } from '@dda/store';
import type { CallDeps } from './call-deps.ts';
import type { CallRecord } from './call-record.ts';
import { textFor } from './prompt-texts.ts';
import { findRep } from './rep-directory.ts';
import { onCallFinished } from './call-finished.ts';

/**
 * Carries out the call's outbox in order, saving after each action so a crash resumes where it stopped.
 * Every Telnyx command carries a command_id derived from (call, step): a resend after a crash is ignored
 * by Telnyx instead of placing a second call or speaking twice. Runs under the call's lock.
 */
export async function runOutbox(deps: CallDeps, record: CallRecord): Promise<void> {
  // One read per alert per run: the outbox of one event is a handful of commands sent back to back.
  const loaded = new Map<string, Alert | null>();
  while (record.outbox.length > 0) {
    const action = record.outbox[0]!;
    // In a digest call the words and the AE follow the alert the VP is hearing about.
    const focusId = record.group[record.ctx.focus] ?? record.alertId;
    if (!loaded.has(focusId)) loaded.set(focusId, await deps.alerts.get(focusId));
    const alert = loaded.get(focusId) ?? null;
    if (!alert) throw new Error(`alert ${focusId} of call ${record.id} is missing`);
    await perform(deps, record, alert, action);
    record.outbox.shift();
    await deps.calls.save(record);
  }
}

async function perform(deps: CallDeps, record: CallRecord, alert: Alert, action: CallAction): Promise<void> {
  const { telnyx, settings } = deps;
  const key = actionKey(action);
  const command_id = commandId(record.id, key);
  const state = (leg: Leg, step?: number) => encodeClientState({ callId: record.id, leg, step: step ?? record.ctx.legs[leg]?.step ?? 0 });
  const log = deps.log.child({ alert_id: record.alertId, call_id: record.id });
  const ccidOf = (leg: Leg) => record.ccid[leg];
  const snoozeMinutes = Math.round(settings.snoozeMs / 60_000);
  const rep = findRep(deps.directory, alert.deal.owner?.email);
  const aeName = rep?.name ?? alert.deal.owner?.name ?? null;

  switch (action.do) {
    case 'gather':
    case 'speak': {
      const ccid = ccidOf(action.leg);
      if (!ccid) return;
      const text = textFor(action.prompt, alert, record, settings, aeName);
      const client_state = state(action.leg, action.step);
      const res =
        action.do === 'gather'
          ? await telnyx.gatherUsingSpeak(ccid, {
              payload: text,
              voice: settings.voice,
              valid_digits: action.validDigits,
              minimum_digits: 1,
              maximum_digits: 1,
              terminating_digit: '#',
              maximum_tries: 1,
              timeout_millis: settings.answerTimeoutMs,
              client_state,
              command_id,
            })
          : await telnyx.speak(ccid, { payload: text, voice: settings.voice, client_state, command_id });
      if (action.leg === 'vp' && record.vpAnsweredAt && record.deadAirMs === undefined) {
        record.deadAirMs = Date.now() - Date.parse(record.vpAnsweredAt);
        deps.metrics?.deadAir(record.deadAirMs);
      }
      await deps.alerts.addTimeline(alert.id, 'said', { call_id: record.id, to: action.leg, prompt: action.prompt, text, ...(res.ended ? { call_ended: true } : {}) });
      log.info({ leg: action.leg, prompt: action.prompt, chars: text.length }, 'prompt sent');
      return;
    }
    case 'answer': {
      const ccid = ccidOf('vp');
      if (!ccid) return;
      const text = deps.answerQuestion ? await deps.answerQuestion(alert, action.question) : "I don't have that detail to hand.";
      const res = await telnyx.speak(ccid, { payload: text, voice: settings.voice, client_state: state('vp', action.step), command_id });
      await deps.alerts.addTimeline(alert.id, 'said', { call_id: record.id, to: 'vp', prompt: 'answer', text, ...(res.ended ? { call_ended: true } : {}) });
      return;
    }
    case 'gather_stop': {
      const ccid = ccidOf(action.leg);
      if (ccid) await telnyx.stopGather(ccid, { client_state: state(action.leg, action.step), command_id });
      return;
    }
    case 'transcription_start': {
      const ccid = ccidOf(action.leg);
      if (!ccid) return;
      await telnyx.startTranscription(ccid, {
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
      return;
    }
    case 'transcription_stop': {
      const ccid = ccidOf(action.leg);
      if (ccid) await telnyx.stopTranscription(ccid, { client_state: state(action.leg), command_id });
      return;
    }
    case 'dial_ae': {
      record.ae = { name: aeName, number: rep?.phone ?? null };
      if (!record.ae.number || !record.ccid.vp) return;
      await deps.alerts.addTimeline(alert.id, 'ae.dialing', { call_id: record.id, ae: record.ae.name });
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
      record.ccid.ae = leg.callControlId;
      log.info({ leg: 'ae' }, 'AE dialled');
      return;
    }
    case 'bridge': {
      if (!record.ccid.vp || !record.ccid.ae) return;
      await telnyx.bridge(record.ccid.vp, {
        call_control_id_to_bridge_with: record.ccid.ae,
        park_after_unbridge: 'self',
        client_state: state('vp'),
        command_id,
      });
      return;
    }
    case 'hangup': {
      const ccid = ccidOf(action.leg);
      if (ccid) await telnyx.hangup(ccid, { client_state: state(action.leg), command_id });
      return;
    }
    case 'note':
      await deps.alerts.addTimeline(alert.id, action.event, { call_id: record.id, ...(action.detail ?? {}) });
      return;
    case 'snooze':
      await deps.queues.byName.dials.add(
        'dialer.place-call',
        { alertId: record.alertId, attempt: 0, round: record.round + 1, group: record.group.slice(1) },
        { jobId: `dial-${record.alertId}-r${record.round + 1}a0`, delay: deps.settings.snoozeMs },
      );
      await deps.alerts.addTimeline(alert.id, 'snoozed', { call_id: record.id, minutes: snoozeMinutes });
      return;
    case 'finish':
      await onCallFinished(deps, record, action.result, action.reason);
      return;
  }
}
