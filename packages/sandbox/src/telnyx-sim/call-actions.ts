import { randomUUID } from 'node:crypto';
import type { CallEngine } from './call-engine.ts';
import type { DialRequest, Leg } from './call-leg.ts';
import { errorBodies, type TelnyxErrorBody } from './telnyx-errors.ts';

type Body = Record<string, any>;
export type ActionFailure = { ok: false; status: number; body: TelnyxErrorBody };
export type ActionResult = { ok: true; data?: Record<string, unknown> } | ActionFailure;

type ActionSpec = {
  /** Telnyx answers 90034 to media commands on a leg that is still ringing. */
  needsAnswer: boolean;
  run: (engine: CallEngine, leg: Leg, body: Body) => ActionResult;
};

const ok = (data?: Record<string, unknown>): ActionResult => ({ ok: true, ...(data ? { data } : {}) });
const fail = (body: TelnyxErrorBody, status = 422): ActionFailure => ({ ok: false, status, body });
const MAX_TTS_CHARS = 3000;
const E164 = /^\+[1-9]\d{6,14}$/;
const AMD_MODES = ['premium', 'detect', 'detect_beep', 'detect_words', 'greeting_end', 'disabled'];

/** speak and gather_using_speak need payload + voice, and Telnyx caps TTS at 3,000 characters (docs/vendor-facts.md, Audio). */
function checkTts(body: Body): ActionFailure | null {
  for (const name of ['payload', 'voice']) {
    if (typeof body[name] !== 'string' || body[name] === '') return fail(errorBodies.missingParameter(name));
  }
  if (body['payload'].length > MAX_TTS_CHARS) {
    return fail(errorBodies.invalidValue('payload', `payload must be at most ${MAX_TTS_CHARS} characters`));
  }
  return null;
}

/** speak's stop cuts the audio queue: 'current' what plays, 'all' that and everything queued (docs/vendor-facts.md, Audio). */
function checkStop(body: Body): ActionFailure | null {
  const stop = body['stop'];
  if (stop === undefined || stop === 'current' || stop === 'all') return null;
  return fail(errorBodies.invalidValue('stop', 'stop must be one of: current, all.'));
}

export const ACTIONS: Record<string, ActionSpec> = {
  speak: {
    needsAnswer: true,
    run: (engine, leg, body) => checkTts(body) ?? checkStop(body) ?? (engine.speak(leg, body), ok()),
  },
  gather_using_speak: {
    needsAnswer: true,
    run: (engine, leg, body) => checkTts(body) ?? (engine.gatherUsingSpeak(leg, body), ok()),
  },
  gather_stop: {
    needsAnswer: true,
    run: (engine, leg) =>
      !leg.gather && engine.modes().strictStops ? fail(errorBodies.nothingToStop('gather')) : (engine.stopGather(leg), ok()),
  },
  transcription_start: { needsAnswer: true, run: (engine, leg, body) => (engine.startTranscription(leg, body), ok()) },
  transcription_stop: {
    needsAnswer: true,
    run: (engine, leg) =>
      !leg.transcription && engine.modes().strictStops
        ? fail(errorBodies.nothingToStop('transcription'))
        : (engine.stopTranscription(leg), ok()),
  },
  bridge: {
    needsAnswer: true,
    run(engine, leg, body) {
      const otherId = body['call_control_id'];
      if (typeof otherId !== 'string' || otherId === '') return fail(errorBodies.missingParameter('call_control_id'));
      const other = engine.find(otherId);
      if (!other) return fail(errorBodies.invalidCallControlId('/call_control_id'));
      if (other === leg) return fail(errorBodies.invalidValue('call_control_id', 'A call cannot be bridged with itself.'));
      if (!engine.alive(other)) return fail(errorBodies.callEnded());
      if (other.state === 'ringing') return fail(errorBodies.notAnswered());
      engine.bridge(leg, other, body);
      return ok();
    },
  },
  hangup: { needsAnswer: false, run: (engine, leg, body) => (engine.hangup(leg, body), ok()) },
  // Incoming calls only, while parked: answer or reject, once.
  answer: {
    needsAnswer: false,
    run(engine, leg, body) {
      const refused = checkParkedIncoming(leg, 'answered');
      if (refused) return refused;
      const url = body['webhook_url'];
      if (url !== undefined && (typeof url !== 'string' || !/^https?:\/\//.test(url))) {
        return fail(errorBodies.invalidValue('webhook_url', 'webhook_url must be an http(s) URL.'));
      }
      engine.answerIncoming(leg, body);
      return ok();
    },
  },
  reject: {
    needsAnswer: false,
    run(engine, leg, body) {
      const refused = checkParkedIncoming(leg, 'rejected');
      if (refused) return refused;
      const cause = body['cause'];
      if (cause === undefined || cause === '') return fail(errorBodies.missingParameter('cause'));
      if (cause !== 'CALL_REJECTED' && cause !== 'USER_BUSY') {
        return fail(errorBodies.invalidValue('cause', 'cause must be one of: CALL_REJECTED, USER_BUSY.'));
      }
      engine.rejectIncoming(leg, body);
      return ok();
    },
  },
  client_state_update: { needsAnswer: false, run: (engine, leg, body) => (engine.updateClientState(leg, body), ok()) },
  // Accepted so an app using them does not break, but they change nothing in the simulated call.
  gather_using_ai: { needsAnswer: true, run: () => ok({ conversation_id: randomUUID() }) },
  playback_start: { needsAnswer: true, run: () => ok() },
  playback_stop: { needsAnswer: true, run: () => ok() },
};

/** answer / reject need a call that came in and is still parked (what Telnyx answers otherwise is unconfirmed). */
function checkParkedIncoming(leg: Leg, what: 'answered' | 'rejected'): ActionFailure | null {
  if (leg.direction !== 'incoming') return fail(errorBodies.notIncoming(what));
  if (leg.state !== 'ringing') return fail(errorBodies.alreadyAnswered(what));
  return null;
}

export function runAction(engine: CallEngine, leg: Leg, action: string, body: Body): ActionResult {
  const spec = ACTIONS[action]!;
  if (!engine.alive(leg)) return fail(errorBodies.callEnded());
  if (spec.needsAnswer && leg.state === 'ringing') return fail(errorBodies.notAnswered());
  // Leg-wide echo: the command's client_state is the leg's from now on, its own events included.
  const before = leg.clientState;
  if (engine.modes().clientStateEcho === 'leg' && typeof body['client_state'] === 'string') leg.clientState = body['client_state'];
  const result = spec.run(engine, leg, body);
  if (!result.ok) leg.clientState = before;
  if (result.ok && action !== 'hangup') engine.touch(leg);
  return result;
}

/** Dial validation: the simulator requires webhook_url because it has no Call Control App to fall back to. */
export function checkDial(engine: CallEngine, body: Body): ActionFailure | { ok: true; request: DialRequest } {
  for (const name of ['connection_id', 'from', 'to', 'webhook_url']) {
    if (typeof body[name] !== 'string' || body[name] === '') return fail(errorBodies.missingParameter(name));
  }
  for (const name of ['from', 'to']) if (!E164.test(body[name])) return fail(errorBodies.notE164(name));
  if (!/^https?:\/\//.test(body['webhook_url'])) {
    return fail(errorBodies.invalidValue('webhook_url', 'webhook_url must be an http(s) URL.'));
  }
  const amd = body['answering_machine_detection'];
  if (amd !== undefined && !AMD_MODES.includes(amd)) {
    return fail(errorBodies.invalidValue('answering_machine_detection', `The value must be one of: ${AMD_MODES.join(', ')}.`));
  }
  const timeout = body['timeout_secs'];
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 5 && timeout <= 600)) {
    return fail(errorBodies.invalidValue('timeout_secs', 'timeout_secs must be an integer between 5 and 600.'));
  }
  if (body['link_to'] !== undefined && !engine.find(String(body['link_to']))) {
    return fail(errorBodies.invalidCallControlId('/link_to'));
  }
  return { ok: true, request: body as DialRequest };
}
