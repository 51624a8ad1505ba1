import { telnyxApiError, type CallCommands, type CommandOutcome, type DialedLeg } from '@dda/telnyx';

export type Sent = { action: string; ccid: string | null; body: Record<string, unknown> };

/**
 * A double of the SDK boundary (CallCommands), not of our code: it records what would have gone to Telnyx
 * and answers as Telnyx does — ok, "call ended" (90018, which the real wrapper turns into { ended: true }),
 * or an APIError of the SDK's own class for a refusal — so the executor's real error handling runs.
 */
export function recordingTelnyx() {
  const sent: Sent[] = [];
  const refuse = new Map<string, { status: number; code: string; times: number }>();
  const endedLegs = new Set<string>();
  let dialAnswer: DialedLeg | null = null;
  let dials = 0;

  function answer(action: string, ccid: string | null, body: object): CommandOutcome {
    sent.push({ action, ccid, body: body as Record<string, unknown> });
    const r = refuse.get(action);
    if (r && r.times > 0) {
      r.times -= 1;
      throw telnyxApiError(r.status, r.code, 'refused by the double');
    }
    if (ccid && endedLegs.has(ccid)) return { ok: true, ended: true };
    return { ok: true };
  }

  const commands: CallCommands = {
    async dial(body) {
      answer('dial', null, body);
      dials += 1;
      return dialAnswer ?? { callControlId: `v3:leg-${dials}`, callLegId: `leg-${dials}`, callSessionId: 'session-1' };
    },
    speak: async (id, body) => answer('speak', id, body),
    gatherUsingSpeak: async (id, body) => answer('gather_using_speak', id, body),
    stopGather: async (id, body) => answer('gather_stop', id, body),
    startTranscription: async (id, body) => answer('transcription_start', id, body),
    stopTranscription: async (id, body) => answer('transcription_stop', id, body),
    bridge: async (id, body) => answer('bridge', id, body),
    hangup: async (id, body) => answer('hangup', id, body),
    answer: async (id, body) => answer('answer', id, body),
    reject: async (id, body) => answer('reject', id, body),
  };

  return {
    commands,
    sent,
    /** The next `times` commands named `action` are refused with that HTTP status and Telnyx code. */
    refuse(action: string, status = 422, code = '10015', times = 1) {
      refuse.set(action, { status, code, times });
    },
    /** Commands to this leg answer 90018 from now on (the person hung up; the webhook may be late or lost). */
    endLeg(ccid: string) {
      endedLegs.add(ccid);
    },
    answerDialsWith(leg: DialedLeg | null) {
      dialAnswer = leg;
    },
    actions: () => sent.map((s) => s.action),
  };
}
