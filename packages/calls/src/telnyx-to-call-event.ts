import type { CallEvent, Leg } from '@dda/domain';
import type { ClientState } from '@dda/telnyx';

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

/** Telnyx's webhook vocabulary → the state machine's; events the machine does not use map to null. */
export function toCallEvent(eventType: string, payload: Payload, state: ClientState | null, leg: Leg): CallEvent | null {
  const step = state?.leg === leg ? state.step : null;
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
      return { type: 'speak_ended', leg, step };
    case 'call.dtmf.received':
      return { type: 'dtmf', leg, step, digit: String(payload['digit'] ?? '') };
    case 'call.gather.ended':
      return { type: 'gather_ended', leg, step, digits: String(payload['digits'] ?? ''), status: String(payload['status'] ?? '') };
    case 'call.transcription': {
      const t = payload['transcription_data'] as { transcript?: unknown; is_final?: unknown } | undefined;
      // Interim results would fire an intent on half a sentence ("connect" of "connect me later").
      if (!t || t.is_final === false || typeof t.transcript !== 'string') return null;
      return { type: 'transcript', leg, text: t.transcript };
    }
    case 'call.bridged':
      return { type: 'bridged', leg };
    case 'call.hangup':
      return { type: 'hangup', leg, cause: String(payload['hangup_cause'] ?? 'unspecified') };
    default:
      return null;
  }
}
