import { aeAnswerFrom, intentFromDigits, intentFromSpeech, looksLikeQuestion, type Intent } from './intents.ts';

/*
 * The alert call as one explicit state machine: VP leg A and, after "connect me", AE leg B.
 * States, events and transitions are data (TRANSITIONS below); `applyCallEvent` is pure, so every
 * ordering of events can be replayed in tests. Side effects are returned as actions for the executor.
 */

export type Leg = 'vp' | 'ae';

export type CallState =
  | 'dialing'
  | 'briefing'
  | 'voicemail_greeting'
  | 'voicemail_message'
  | 'ae_ringing'
  | 'ae_whisper'
  | 'bridging'
  | 'bridged'
  | 'closing'
  | 'ended';

export type CallResult = 'connected' | 'acknowledged' | 'snoozed' | 'ae_unavailable' | 'voicemail' | 'no_answer' | 'failed';

export type LegState = {
  step: number;
  answered: boolean;
  ended: boolean;
  /** What the current step is: only a gather can be stopped, and a finished headline leads to the briefing. */
  prompt?: { kind: 'speak' | 'gather'; name: Prompt };
};

export type CallContext = {
  state: CallState;
  legs: { vp: LegState; ae: LegState | null };
  /** Prompts that ended without an answer; the second one closes the call. */
  silences: number;
  /** Per alert of the call (a digest call covers several): is there a number for its account executive? */
  aeKnown: boolean[];
  /** Which alert of the call the VP is hearing about. */
  focus: number;
  result: CallResult | null;
  resultReason: string | null;
};

export type CallEvent =
  | { type: 'answered'; leg: Leg }
  | { type: 'amd'; leg: Leg; result: 'human' | 'machine' | 'not_sure' }
  | { type: 'greeting_ended'; leg: Leg }
  | { type: 'speak_ended'; leg: Leg; step: number | null }
  | { type: 'gather_ended'; leg: Leg; step: number | null; digits: string; status: string }
  | { type: 'dtmf'; leg: Leg; step: number | null; digit: string }
  | { type: 'transcript'; leg: Leg; text: string }
  | { type: 'bridged'; leg: Leg }
  | { type: 'hangup'; leg: Leg; cause: string };

export type Prompt =
  | 'headline'
  | 'answer'
  | 'menu'
  | 'briefing'
  | 'briefing_again'
  | 'connecting'
  | 'ae_unknown'
  | 'ae_unavailable'
  | 'ae_declined'
  | 'ae_voicemail'
  | 'whisper'
  | 'voicemail'
  | 'goodbye_ack'
  | 'goodbye_snooze'
  | 'goodbye_timeout';

export type CallAction =
  | { do: 'gather'; leg: Leg; prompt: Prompt; step: number; validDigits: string }
  | { do: 'speak'; leg: Leg; prompt: Prompt; step: number }
  /** Speak the model's answer to the VP's question (its words are only known when it is carried out). */
  | { do: 'answer'; leg: 'vp'; step: number; question: string }
  | { do: 'gather_stop'; leg: Leg; step: number }
  | { do: 'transcription_start'; leg: Leg }
  | { do: 'transcription_stop'; leg: Leg }
  | { do: 'dial_ae' }
  | { do: 'bridge' }
  | { do: 'hangup'; leg: Leg }
  | { do: 'note'; event: string; detail?: Record<string, unknown> }
  | { do: 'finish'; result: CallResult; reason: string | null }
  | { do: 'snooze' };

export type Transition = { ctx: CallContext; actions: CallAction[] };

export function newCallContext(aeKnown: boolean | boolean[]): CallContext {
  return {
    state: 'dialing',
    legs: { vp: { step: 0, answered: false, ended: false }, ae: null },
    silences: 0,
    aeKnown: Array.isArray(aeKnown) ? aeKnown : [aeKnown],
    focus: 0,
    result: null,
    resultReason: null,
  };
}

/** Idempotency key of an action: the same step of the same call always yields the same command id. */
export function actionKey(a: CallAction): string {
  switch (a.do) {
    case 'gather':
    case 'speak':
    case 'answer':
      return `${a.leg}.${a.do}.${a.step}`;
    case 'gather_stop':
      return `${a.leg}.gather_stop.${a.step}`;
    case 'transcription_start':
    case 'transcription_stop':
    case 'hangup':
      return `${a.leg}.${a.do}`;
    case 'dial_ae':
    case 'bridge':
    case 'snooze':
      return a.do;
    case 'finish':
      return 'finish';
    case 'note':
      return `note.${a.event}.${JSON.stringify(a.detail ?? {})}`;
  }
}

// ---- building blocks -------------------------------------------------------------------------

type Draft = { ctx: CallContext; actions: CallAction[] };
const VP_MENU_DIGITS = '12349';

function draft(ctx: CallContext): Draft {
  return { ctx: structuredClone(ctx), actions: [] };
}
function to(d: Draft, state: CallState): Draft {
  d.ctx.state = state;
  return d;
}
function nextStep(d: Draft, leg: Leg): number {
  const l = d.ctx.legs[leg]!;
  l.step += 1;
  return l.step;
}
function speak(d: Draft, leg: Leg, prompt: Prompt): Draft {
  d.actions.push({ do: 'speak', leg, prompt, step: nextStep(d, leg) });
  d.ctx.legs[leg]!.prompt = { kind: 'speak', name: prompt };
  return d;
}
function gather(d: Draft, leg: Leg, prompt: Prompt, validDigits: string): Draft {
  d.actions.push({ do: 'gather', leg, prompt, step: nextStep(d, leg), validDigits });
  d.ctx.legs[leg]!.prompt = { kind: 'gather', name: prompt };
  return d;
}
/** A spoken answer barges in on a gather that is still listening: stop it so its end is not mistaken for silence. */
function stopGatherIfListening(d: Draft, leg: Leg): Draft {
  const l = d.ctx.legs[leg];
  if (l?.prompt?.kind === 'gather') d.actions.push({ do: 'gather_stop', leg, step: l.step });
  return d;
}
function act(d: Draft, ...actions: CallAction[]): Draft {
  d.actions.push(...actions);
  return d;
}
function hangup(d: Draft, leg: Leg): Draft {
  const l = d.ctx.legs[leg];
  if (l && !l.ended) d.actions.push({ do: 'hangup', leg });
  return d;
}
function finish(d: Draft, result: CallResult, reason: string | null): Draft {
  if (d.ctx.result === null) {
    d.ctx.result = result;
    d.ctx.resultReason = reason;
  }
  return d;
}
/** Ends the machine: every leg still up is hung up and the executor learns the result once. */
function end(d: Draft): Draft {
  hangup(d, 'vp');
  if (d.ctx.legs.ae) hangup(d, 'ae');
  d.actions.push({ do: 'finish', result: d.ctx.result ?? 'failed', reason: d.ctx.resultReason });
  return to(d, 'ended');
}
/** Speak a last sentence to the VP, then hang up when it has been said. */
function close(d: Draft, prompt: Prompt, result: CallResult, reason: string | null): Draft {
  finish(d, result, reason);
  if (d.ctx.legs.vp.ended) return end(d);
  return to(speak(d, 'vp', prompt), 'closing');
}
function legEnded(d: Draft, leg: Leg): Draft {
  const l = d.ctx.legs[leg];
  if (l) l.ended = true;
  return d;
}
const isCurrent = (ctx: CallContext, leg: Leg, step: number | null) => step === null || step === ctx.legs[leg]?.step;

// ---- the VP's choices ------------------------------------------------------------------------

function onVpIntent(d: Draft, intent: Intent, via: 'speech' | 'keys'): Draft {
  act(d, { do: 'note', event: 'vp.intent', detail: { intent, via } });
  // A key ends a one-digit gather by itself; speech does not.
  if (via === 'speech') stopGatherIfListening(d, 'vp');
  switch (intent) {
    case 'next':
      if (d.ctx.focus + 1 >= d.ctx.aeKnown.length) return gather(d, 'vp', 'briefing_again', VP_MENU_DIGITS);
      d.ctx.focus += 1;
      d.ctx.silences = 0;
      act(d, { do: 'note', event: 'digest.next', detail: { focus: d.ctx.focus } });
      return gather(d, 'vp', 'briefing', VP_MENU_DIGITS);
    case 'connect':
      if (!d.ctx.aeKnown[d.ctx.focus]) return close(d, 'ae_unknown', 'ae_unavailable', 'no phone number for the account executive');
      d.ctx.legs.ae = { step: 0, answered: false, ended: false };
      speak(d, 'vp', 'connecting');
      return to(act(d, { do: 'dial_ae' }), 'ae_ringing');
    case 'repeat':
      d.ctx.silences = 0;
      return gather(d, 'vp', 'briefing_again', VP_MENU_DIGITS);
    case 'snooze':
      act(d, { do: 'snooze' });
      return close(d, 'goodbye_snooze', 'snoozed', null);
    case 'dismiss':
      return close(d, 'goodbye_ack', 'acknowledged', null);
  }
}

/**
 * The first words leave the moment the VP picks up: a headline that needs no AI, while the answering-machine
 * verdict is still pending. The full briefing (AI if ready by then) follows when the headline ends.
 */
function askedQuestion(d: Draft, question: string): Draft {
  act(d, { do: 'note', event: 'vp.question', detail: { question } });
  stopGatherIfListening(d, 'vp');
  const step = nextStep(d, 'vp');
  d.ctx.legs.vp.prompt = { kind: 'speak', name: 'answer' };
  d.ctx.silences = 0;
  return act(d, { do: 'answer', leg: 'vp', step, question });
}

function startBriefing(d: Draft): Draft {
  d.ctx.legs.vp.answered = true;
  // Words first, then the transcriber: the VP hears the headline one round trip sooner.
  act(d, { do: 'note', event: 'vp.answered' });
  speak(d, 'vp', 'headline');
  return to(act(d, { do: 'transcription_start', leg: 'vp' }), 'briefing');
}

function toVoicemail(d: Draft): Draft {
  act(d, { do: 'note', event: 'vp.voicemail' });
  if (d.ctx.legs.vp.answered) act(d, { do: 'transcription_stop', leg: 'vp' });
  return to(d, 'voicemail_greeting');
}

function aeUnavailable(d: Draft, prompt: Prompt, reason: string): Draft {
  hangup(d, 'ae');
  act(d, { do: 'note', event: 'ae.unavailable', detail: { reason } });
  return close(d, prompt, 'ae_unavailable', reason);
}

const NOT_REACHED: Record<string, string> = {
  timeout: 'no answer',
  no_answer: 'no answer',
  user_busy: 'busy',
  call_rejected: 'rejected',
  not_found: 'unreachable',
  unspecified: 'not answered',
  originator_cancel: 'cancelled',
};

// ---- the table -------------------------------------------------------------------------------

type Handler<E extends CallEvent['type']> = (ctx: CallContext, e: Extract<CallEvent, { type: E }>) => Draft | null;
type Row = { [E in CallEvent['type']]?: Handler<E> };

const vpHangupAnywhere: Handler<'hangup'> = (ctx, e) => {
  const d = legEnded(draft(ctx), e.leg);
  if (e.leg === 'ae') return null;
  return end(finish(d, 'acknowledged', 'the VP hung up'));
};

export const TRANSITIONS: Record<CallState, Row> = {
  dialing: {
    answered: (ctx, e) => (e.leg === 'vp' ? startBriefing(draft(ctx)) : null),
    amd: (ctx, e) => (e.leg !== 'vp' ? null : e.result === 'machine' ? toVoicemail(draft(ctx)) : startBriefing(draft(ctx))),
    greeting_ended: (ctx, e) => (e.leg === 'vp' ? to(speak(draft(ctx), 'vp', 'voicemail'), 'voicemail_message') : null),
    hangup: (ctx, e) =>
      e.leg === 'vp' ? end(finish(legEnded(draft(ctx), 'vp'), 'no_answer', NOT_REACHED[e.cause] ?? `not answered (${e.cause})`)) : null,
  },
  voicemail_greeting: {
    greeting_ended: (ctx, e) => (e.leg === 'vp' ? to(speak(draft(ctx), 'vp', 'voicemail'), 'voicemail_message') : null),
    hangup: (ctx, e) => (e.leg === 'vp' ? end(finish(legEnded(draft(ctx), 'vp'), 'voicemail', 'voicemail hung up')) : null),
  },
  voicemail_message: {
    speak_ended: (ctx, e) => (e.leg === 'vp' && isCurrent(ctx, 'vp', e.step) ? end(finish(draft(ctx), 'voicemail', 'message left')) : null),
    hangup: (ctx, e) => (e.leg === 'vp' ? end(finish(legEnded(draft(ctx), 'vp'), 'voicemail', 'message left')) : null),
  },
  briefing: {
    amd: (ctx, e) => (e.leg === 'vp' && e.result === 'machine' ? toVoicemail(draft(ctx)) : null),
    speak_ended: (ctx, e) => {
      if (e.leg !== 'vp' || !isCurrent(ctx, 'vp', e.step)) return null;
      const after = ctx.legs.vp.prompt?.name;
      if (after === 'headline') return gather(draft(ctx), 'vp', 'briefing', VP_MENU_DIGITS);
      // After an answer to a question the menu continues.
      if (after === 'answer') return gather(draft(ctx), 'vp', 'menu', VP_MENU_DIGITS);
      return null;
    },
    dtmf: (ctx, e) => {
      if (e.leg !== 'vp' || !isCurrent(ctx, 'vp', e.step)) return null;
      const intent = intentFromDigits(e.digit);
      return intent ? onVpIntent(draft(ctx), intent, 'keys') : null;
    },
    gather_ended: (ctx, e) => {
      if (e.leg !== 'vp' || !isCurrent(ctx, 'vp', e.step)) return null;
      const intent = intentFromDigits(e.digits);
      if (intent) return onVpIntent(draft(ctx), intent, 'keys');
      if (e.status !== 'timeout' && e.status !== 'invalid') return null;
      const d = draft(ctx);
      d.ctx.silences += 1;
      if (d.ctx.silences >= 2) return close(d, 'goodbye_timeout', 'acknowledged', 'no answer to the briefing (timeout)');
      return gather(act(d, { do: 'note', event: 'vp.silence' }), 'vp', 'briefing_again', VP_MENU_DIGITS);
    },
    transcript: (ctx, e) => {
      if (e.leg !== 'vp') return null;
      const intent = intentFromSpeech(e.text);
      if (intent) return onVpIntent(draft(ctx), intent, 'speech');
      return looksLikeQuestion(e.text) ? askedQuestion(draft(ctx), e.text) : null;
    },
    hangup: vpHangupAnywhere,
  },
  ae_ringing: {
    answered: (ctx, e) => (e.leg === 'ae' ? act(draft(ctx), { do: 'note', event: 'ae.answered' }) : null),
    amd: (ctx, e) => {
      if (e.leg !== 'ae') return null;
      const d = draft(ctx);
      d.ctx.legs.ae!.answered = true;
      if (e.result === 'machine') return aeUnavailable(d, 'ae_voicemail', 'the account executive\'s voicemail answered');
      act(d, { do: 'note', event: 'ae.human' }, { do: 'transcription_start', leg: 'ae' });
      return to(gather(d, 'ae', 'whisper', '12'), 'ae_whisper');
    },
    hangup: (ctx, e) => {
      const d = legEnded(draft(ctx), e.leg);
      if (e.leg === 'vp') return end(finish(d, 'acknowledged', 'the VP hung up while the account executive was ringing'));
      return aeUnavailable(d, 'ae_unavailable', NOT_REACHED[e.cause] ?? `account executive not reached (${e.cause})`);
    },
  },
  ae_whisper: {
    dtmf: (ctx, e) => {
      if (e.leg !== 'ae' || !isCurrent(ctx, 'ae', e.step)) return null;
      const answer = aeAnswerFrom({ digits: e.digit });
      if (answer === 'accept') return bridge(draft(ctx), 'keys');
      return answer === 'decline' ? aeUnavailable(draft(ctx), 'ae_declined', 'the account executive declined') : null;
    },
    gather_ended: (ctx, e) => {
      if (e.leg !== 'ae' || !isCurrent(ctx, 'ae', e.step)) return null;
      const answer = aeAnswerFrom({ digits: e.digits });
      if (answer === 'accept') return bridge(draft(ctx), 'keys');
      if (e.status !== 'timeout' && e.status !== 'invalid') return null;
      return aeUnavailable(draft(ctx), 'ae_declined', answer === 'decline' ? 'the account executive declined' : 'the account executive did not accept');
    },
    transcript: (ctx, e) => {
      if (e.leg !== 'ae') return null;
      const answer = aeAnswerFrom({ transcript: e.text });
      if (answer === 'accept') return bridge(stopGatherIfListening(draft(ctx), 'ae'), 'speech');
      if (answer === 'decline') return aeUnavailable(stopGatherIfListening(draft(ctx), 'ae'), 'ae_declined', 'the account executive declined');
      return null;
    },
    hangup: (ctx, e) => {
      const d = legEnded(draft(ctx), e.leg);
      if (e.leg === 'vp') return end(finish(d, 'acknowledged', 'the VP hung up during the whisper'));
      return aeUnavailable(d, 'ae_unavailable', 'the account executive hung up');
    },
  },
  bridging: {
    bridged: (ctx) => to(act(finish(draft(ctx), 'connected', null), { do: 'note', event: 'bridged' }), 'bridged'),
    hangup: (ctx, e) => {
      const d = legEnded(draft(ctx), e.leg);
      if (e.leg === 'vp') return end(finish(d, 'acknowledged', 'the VP hung up before the bridge'));
      return aeUnavailable(d, 'ae_unavailable', 'the account executive hung up before the bridge');
    },
  },
  bridged: {
    bridged: () => null,
    // Either side leaving ends the conversation; the parked leg is hung up rather than left in silence.
    hangup: (ctx, e) => end(legEnded(draft(ctx), e.leg)),
  },
  closing: {
    speak_ended: (ctx, e) => (e.leg === 'vp' && isCurrent(ctx, 'vp', e.step) ? end(draft(ctx)) : null),
    hangup: (ctx, e) => (e.leg === 'vp' ? end(legEnded(draft(ctx), 'vp')) : legEnded(draft(ctx), 'ae')),
  },
  ended: {},
};

function bridge(d: Draft, via: 'keys' | 'speech'): Draft {
  act(d, { do: 'note', event: 'ae.accepted', detail: { via } }, { do: 'transcription_stop', leg: 'ae' }, { do: 'transcription_stop', leg: 'vp' }, { do: 'bridge' });
  return to(d, 'bridging');
}

/**
 * Applies one event. Returns null when the event means nothing in the current state (a duplicate,
 * a stale prompt's end, a late event after the call moved on): the caller records it and moves on.
 */
export function applyCallEvent(ctx: CallContext, event: CallEvent): Transition | null {
  const handler = TRANSITIONS[ctx.state][event.type] as ((c: CallContext, e: CallEvent) => Draft | null) | undefined;
  if (!handler) return null;
  const d = handler(ctx, event);
  if (!d) return null;
  return { ctx: d.ctx, actions: d.actions };
}
