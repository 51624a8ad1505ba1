import type { CallEvent, Leg } from '@dda/domain';

type Payload = Record<string, unknown>;

const AMD_RESULT: Record<string, 'human' | 'machine' | 'not_sure'> = {
  human: 'human',
  human_residence: 'human',
  human_business: 'human',
  machine: 'machine',
  fax_detected: 'machine',
  not_sure: 'not_sure',
  silence: 'not_sure',
};

/**
 * A hangup that shows the leg had been picked up. Telnyx does not order webhooks, so a VP who answered and
 * hung up at once can have call.hangup arrive before call.answered. The causes of a call that was never
 * answered are timeout, no_answer, user_busy, call_rejected, not_found, originator_cancel and unspecified;
 * normal_clearing is the cause of an answered call ending (docs/vendor-facts.md#amd-and-hangups).
 */
export function hangupShowsAnswer(payload: Payload): boolean {
  return payload['hangup_cause'] === 'normal_clearing';
}

/**
 * Telnyx's webhook vocabulary → the state machine's; events the machine does not use map to null.
 * Keys are read from call.gather.ended only: Telnyx documents call.dtmf.received as an event of gather
 * commands, so a key outside a gather may never arrive, and one inside it is in the gather's digits.
 * client_state gives the call and the leg, never the step: it may be echoed leg-wide (docs/vendor-facts.md).
 */
export function toCallEvent(eventType: string, payload: Payload, leg: Leg): CallEvent | null {
  switch (eventType) {
    case 'call.answered':
      return { type: 'answered', leg };
    case 'call.machine.detection.ended':
    case 'call.machine.premium.detection.ended':
      return { type: 'amd', leg, result: AMD_RESULT[String(payload['result'])] ?? 'not_sure' };
    case 'call.machine.greeting.ended':
    case 'call.machine.premium.greeting.ended':
      return { type: 'greeting_ended', leg };
    case 'call.speak.ended':
      return { type: 'speak_ended', leg, status: String(payload['status'] ?? 'completed') };
    case 'call.gather.ended':
      return {
        type: 'gather_ended',
        leg,
        digits: String(payload['digits'] ?? ''),
        status: String(payload['status'] ?? ''),
        // A PIN's keys never reach us: the ingress compared them and kept only whether they matched.
        ...(typeof payload['pin_ok'] === 'boolean' ? { pinOk: payload['pin_ok'] } : {}),
      };
    case 'call.transcription': {
      const t = payload['transcription_data'] as { transcript?: unknown; is_final?: unknown } | undefined;
      // Interim results would fire an intent on half a sentence ("connect" of "connect me later").
      if (!t || t.is_final === false || typeof t.transcript !== 'string') return null;
      return { type: 'transcript', leg, text: t.transcript };
    }
    case 'call.bridged':
      return { type: 'bridged', leg };
    case 'call.hangup':
      return { type: 'hangup', leg, cause: String(payload['hangup_cause'] ?? 'unspecified'), answered: hangupShowsAnswer(payload) };
    default:
      return null;
  }
}
