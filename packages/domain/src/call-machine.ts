import { aeAnswerFrom, intentFromDigits, intentFromSpeech, looksLikeQuestion, type Intent } from './intents.ts';
import type { TimelineNote } from './timeline-events.ts';

/*
 * The alert call as one explicit state machine: VP leg A and, after "connect me", AE leg B.
 * States, events and transitions are data (TRANSITIONS below); `applyCallEvent` is pure, so every
 * ordering of events can be replayed in tests. Side effects are returned as actions for the executor.
 */

export type Leg = 'vp' | 'ae';

export type CallState =
  | 'dialing'
  | 'answering'
  | 'pin'
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

/** A prompt sent on a leg whose end (call.speak.ended / call.gather.ended) has not arrived yet. */
export type PendingPrompt = { step: number; kind: 'speak' | 'gather'; name: Prompt };

export type LegState = {
  step: number;
  answered: boolean;
  ended: boolean;
  /**
   * Prompts sent and not yet ended, in the order sent. Telnyx plays a leg's prompts one after another, so
   * an end event belongs to the oldest pending prompt of its kind. Which prompt ended is derived from this
   * and never from the step in client_state: Telnyx may echo the latest client_state leg-wide, so an old
   * prompt's end can carry a newer prompt's step.
   */
  queue: PendingPrompt[];
};

export type CallContext = {
  state: CallState;
  legs: { vp: LegState; ae: LegState | null };
  /** Prompts that ended without an answer; the second one closes the call. */
  silences: number;
  /** Watchdog re-prompts used: an answered leg left silent is re-prompted once, then closed. */
  stalls: number;
  /** Bumped by every applied event: a watchdog armed at an older tick finds the call moved on and does nothing. */
  tick: number;
  /** Per alert of the call (a digest call covers several): is there a number for its account executive? */
  aeKnown: boolean[];
  /** Which alert of the call the VP is hearing about. */
  focus: number;
  result: CallResult | null;
  resultReason: string | null;
  /** A call back: the recipient rang our number; `pin` says they must key INBOUND_PIN first. */
  callBack?: { pin: boolean; pinTries: number; admitted: boolean };
};

/** The end of a prompt as the machine sees it: which pending prompt it was, and whether it was the newest. */
export type PromptEnd = { prompt: PendingPrompt | null; latest: boolean };

export type CallEvent =
  | { type: 'answered'; leg: Leg }
  | { type: 'amd'; leg: Leg; result: 'human' | 'machine' | 'not_sure' }
  | { type: 'greeting_ended'; leg: Leg }
  | { type: 'speak_ended'; leg: Leg; status: string }
  /** `pinOk`: the keys were compared with INBOUND_PIN where they arrived (the PIN itself is never stored). */
  | { type: 'gather_ended'; leg: Leg; digits: string; status: string; pinOk?: boolean }
  | { type: 'transcript'; leg: Leg; text: string }
  | { type: 'bridged'; leg: Leg }
  /** `answered`: the hangup itself shows the leg had been answered (a call.answered may still be on its way). */
  | { type: 'hangup'; leg: Leg; cause: string; answered?: boolean; unsent?: Unsent }
  /** The watchdog: nothing happened on the call for longer than its prompts and answers could take. */
  | { type: 'stall' }
  /** Our side cannot drive the call any further (a command refused for good, retries spent, a record lost). */
  | { type: 'failure'; reason: string; unsent?: Unsent };

/**
 * Prompts decided but never sent (their command was refused, or dropped when the call changed course):
 * they will never end, so they leave the pending queue before anything is matched against it.
 */
export type Unsent = Array<{ leg: Leg; step: number }>;

type EndedEvent = Extract<CallEvent, { type: 'speak_ended' | 'gather_ended' }> & PromptEnd;

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
  | 'goodbye_timeout'
  | 'apology'
  | 'pin'
  | 'pin_again'
  | 'pin_refused'
  | 'callback_none';

export type CallAction =
  /**
   * `cut`: stop what still plays on the leg first (Telnyx queues prompts; `speak` takes `stop: 'all'`).
   * `maxDigits`: more than one key (a PIN, ended by # or a pause); menus take one.
   */
  | { do: 'gather'; leg: Leg; prompt: Prompt; step: number; validDigits: string; maxDigits?: number }
  | { do: 'speak'; leg: Leg; prompt: Prompt; step: number; cut?: boolean }
  /** Speak the model's answer to the VP's question (its words are only known when it is carried out). */
  | { do: 'answer'; leg: 'vp'; step: number; question: string; cut?: boolean }
  | { do: 'gather_stop'; leg: Leg; step: number }
  | { do: 'transcription_start'; leg: Leg }
  | { do: 'transcription_stop'; leg: Leg }
  | { do: 'dial_ae' }
  | { do: 'bridge' }
  | { do: 'hangup'; leg: Leg }
  | ({ do: 'note' } & TimelineNote)
  /** The alert's outcome is known before the call ends (connected at the bridge; talk time follows at hangup). */
  | { do: 'outcome'; result: CallResult }
  | { do: 'finish'; result: CallResult; reason: string | null }
  | { do: 'snooze' };

export type Transition = { ctx: CallContext; actions: CallAction[] };

const newLeg = (): LegState => ({ step: 0, answered: false, ended: false, queue: [] });

export function newCallContext(aeKnown: boolean | boolean[]): CallContext {
  return {
    state: 'dialing',
    legs: { vp: newLeg(), ae: null },
    silences: 0,
    stalls: 0,
    tick: 0,
    aeKnown: Array.isArray(aeKnown) ? aeKnown : [aeKnown],
    focus: 0,
    result: null,
    resultReason: null,
  };
}

/**
 * A recipient called our number and was answered (the answer command is sent with the record, as the dial is
 * for an alert call): they key their PIN first when asked to, then hear their open alerts (`aeKnown` has one
 * entry per alert, none when nothing is open) with the same menu as an alert call.
 */
export function newCallBackContext(aeKnown: boolean[], pin: boolean): CallContext {
  return { ...newCallContext(aeKnown), state: 'answering', callBack: { pin, pinTries: 0, admitted: false } };
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
    case 'outcome':
      return `outcome.${a.result}`;
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
function pend(d: Draft, leg: Leg, kind: PendingPrompt['kind'], name: Prompt): number {
  const step = nextStep(d, leg);
  d.ctx.legs[leg]!.queue.push({ step, kind, name });
  return step;
}
/** A speak cuts whatever still plays on the leg: news from the VP's answer is heard at once, not queued. */
function speak(d: Draft, leg: Leg, prompt: Prompt): Draft {
  const cut = d.ctx.legs[leg]!.queue.length > 0;
  d.actions.push({ do: 'speak', leg, prompt, step: pend(d, leg, 'speak', prompt), ...(cut ? { cut } : {}) });
  return d;
}
function gather(d: Draft, leg: Leg, prompt: Prompt, validDigits: string, maxDigits?: number): Draft {
  d.actions.push({ do: 'gather', leg, prompt, step: pend(d, leg, 'gather', prompt), validDigits, ...(maxDigits ? { maxDigits } : {}) });
  return d;
}
/** Speech barges in on a gather still listening: stop it, so its audio ends now and its keys are not taken later. */
function stopGatherIfListening(d: Draft, leg: Leg): Draft {
  const pending = d.ctx.legs[leg]?.queue.findLast((p) => p.kind === 'gather');
  if (pending && !d.ctx.legs[leg]!.ended) d.actions.push({ do: 'gather_stop', leg, step: pending.step });
  return d;
}
/** Removes the oldest pending prompt of that kind: its end event has arrived (in whatever order webhooks came). */
function consumeEnd(ctx: CallContext, leg: Leg, kind: PendingPrompt['kind']): { ctx: CallContext; end: PromptEnd } {
  const q = ctx.legs[leg]?.queue ?? [];
  const i = q.findIndex((p) => p.kind === kind);
  if (i < 0) return { ctx, end: { prompt: null, latest: false } };
  const next = structuredClone(ctx);
  const [prompt] = next.legs[leg]!.queue.splice(i, 1);
  return { ctx: next, end: { prompt: prompt!, latest: i === q.length - 1 } };
}
function act(d: Draft, ...actions: CallAction[]): Draft {
  d.actions.push(...actions);
  return d;
}
/** A leg we hung up is gone for the machine at once: nothing more is sent to it, not even a second hangup. */
function hangup(d: Draft, leg: Leg): Draft {
  const l = d.ctx.legs[leg];
  if (l && !l.ended) {
    d.actions.push({ do: 'hangup', leg });
    l.ended = true;
  }
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
  if (d.ctx.legs.vp.ended || !d.ctx.legs.vp.answered) return end(d);
  return to(speak(d, 'vp', prompt), 'closing');
}
function legEnded(d: Draft, leg: Leg): Draft {
  const l = d.ctx.legs[leg];
  if (l) l.ended = true;
  return d;
}
const live = (l: LegState | null): l is LegState => !!l && l.answered && !l.ended;

/**
 * Our side gives up on the call: whoever is on a live leg hears a short apology and is hung up when the
 * VP's has been said (the watchdog closes it if that end never comes). Nobody is left on a silent line.
 */
function giveUp(d: Draft, reason: string): Draft {
  act(d, { do: 'note', event: 'call.failed', detail: { reason } });
  finish(d, 'failed', reason);
  const ae = d.ctx.legs.ae;
  if (ae && !ae.ended && !ae.answered) hangup(d, 'ae');
  if (live(ae)) speak(d, 'ae', 'apology');
  if (!live(d.ctx.legs.vp)) return end(d);
  return to(speak(d, 'vp', 'apology'), 'closing');
}

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
      d.ctx.legs.ae = newLeg();
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

function askedQuestion(d: Draft, question: string): Draft {
  act(d, { do: 'note', event: 'vp.question', detail: { question } });
  stopGatherIfListening(d, 'vp');
  const cut = d.ctx.legs.vp.queue.length > 0;
  const step = pend(d, 'vp', 'speak', 'answer');
  d.ctx.silences = 0;
  return act(d, { do: 'answer', leg: 'vp', step, question, ...(cut ? { cut } : {}) });
}

/**
 * The first words leave the moment the VP picks up: a headline that needs no AI, while the answering-machine
 * verdict is still pending. The full briefing (AI if ready by then) follows when the headline ends.
 */
function startBriefing(d: Draft): Draft {
  d.ctx.legs.vp.answered = true;
  // Words first, then the transcriber: the VP hears the headline one round trip sooner.
  act(d, { do: 'note', event: 'vp.answered' });
  speak(d, 'vp', 'headline');
  return to(act(d, { do: 'transcription_start', leg: 'vp' }), 'briefing');
}

/** The longest PIN INBOUND_PIN allows; the caller ends a shorter one with #. */
const PIN_MAX_DIGITS = 8;
const askPin = (d: Draft, prompt: 'pin' | 'pin_again') => to(gather(d, 'vp', prompt, '0123456789', PIN_MAX_DIGITS), 'pin');

/** The caller is who they say (or no PIN is asked): their open alerts, newest first, or that there are none. */
function startCallBack(d: Draft): Draft {
  d.ctx.callBack!.admitted = true;
  if (d.ctx.aeKnown.length === 0) return close(d, 'callback_none', 'acknowledged', 'no open alerts to hear');
  return startBriefing(d);
}

function toVoicemail(d: Draft): Draft {
  d.ctx.legs.vp.answered = true;
  act(d, { do: 'note', event: 'vp.voicemail' });
  if (d.ctx.state === 'briefing') act(d, { do: 'transcription_stop', leg: 'vp' });
  stopGatherIfListening(d, 'vp');
  return to(d, 'voicemail_greeting');
}

/** The message cuts whatever still plays (a headline the machine answered), so it is heard whole. */
function leaveVoicemail(d: Draft): Draft {
  return to(speak(d, 'vp', 'voicemail'), 'voicemail_message');
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

// ---- guards ----------------------------------------------------------------------------------

const isVp = (e: { leg: Leg }) => e.leg === 'vp';
const isAe = (e: { leg: Leg }) => e.leg === 'ae';
/** The end of the newest prompt on the leg: anything older was overtaken by what we sent since. */
const isLatestEnd = (e: EndedEvent) => e.latest && e.prompt !== null;
/** A prompt ended by the hangup says nothing about the VP; the call.hangup event that follows does. */
const endedByHangup = (e: EndedEvent) => e.status === 'call_hangup';

// ---- the table -------------------------------------------------------------------------------

type EventOf<E extends CallEvent['type']> = E extends 'speak_ended' | 'gather_ended'
  ? Extract<EndedEvent, { type: E }>
  : Extract<CallEvent, { type: E }>;
type Handler<E extends CallEvent['type']> = (ctx: CallContext, e: EventOf<E>) => Draft | null;
type Row = { [E in CallEvent['type']]?: Handler<E> };

const vpHangupAnywhere: Handler<'hangup'> = (ctx, e) => {
  const d = legEnded(draft(ctx), e.leg);
  if (isAe(e)) return d;
  return end(finish(d, 'acknowledged', 'the VP hung up'));
};
const giveUpAnywhere: Handler<'failure'> = (ctx, e) => giveUp(draft(ctx), e.reason);

/** Each state in one line, then what each event does in it; an event missing from a row means nothing there. */
export const STATE_DESCRIPTIONS: Record<CallState, string> = {
  dialing: 'the VP leg rings; waiting for an answer, a machine verdict or a hangup',
  answering: 'a recipient called back and we answered; waiting for Telnyx to confirm the answer',
  pin: 'the caller keys their PIN (asked when their number is not attested A); two wrong tries end the call',
  briefing: 'the VP hears the headline, the briefing and the menu, and answers by voice or keys',
  voicemail_greeting: 'a machine answered; waiting for its greeting to end before leaving the message',
  voicemail_message: 'the message plays; counted as left only if it plays to its end',
  ae_ringing: 'the VP was told who they are being connected to; the AE leg rings',
  ae_whisper: 'the AE hears who is waiting and accepts (1 / yes) or declines',
  bridging: 'the bridge was asked for; waiting for Telnyx to confirm it',
  bridged: 'the VP and the AE are talking; the outcome is connected',
  closing: 'a last sentence plays to the VP, then every leg is hung up',
  ended: 'final: every leg hung up, the result recorded',
};

export const TRANSITIONS: Record<CallState, Row> = {
  dialing: {
    answered: (ctx, e) => (isVp(e) ? startBriefing(draft(ctx)) : null),
    amd: (ctx, e) => (!isVp(e) ? null : e.result === 'machine' ? toVoicemail(draft(ctx)) : startBriefing(draft(ctx))),
    greeting_ended: (ctx, e) => (isVp(e) ? leaveVoicemail(legAnswered(draft(ctx))) : null),
    // A hangup can overtake its own call.answered: normal_clearing only ends a leg that was picked up.
    hangup: (ctx, e) => {
      if (!isVp(e)) return null;
      const d = legEnded(draft(ctx), 'vp');
      if (e.answered) return end(finish(d, 'acknowledged', 'the VP picked up and hung up at once'));
      return end(finish(d, 'no_answer', NOT_REACHED[e.cause] ?? `not answered (${e.cause})`));
    },
    stall: (ctx) => end(finish(draft(ctx), 'no_answer', 'no word from Telnyx within the ring time')),
    failure: giveUpAnywhere,
  },
  answering: {
    answered: (ctx, e) => {
      if (!isVp(e)) return null;
      const d = legAnswered(draft(ctx));
      return d.ctx.callBack?.pin ? askPin(d, 'pin') : startCallBack(d);
    },
    hangup: (ctx, e) => (isVp(e) ? end(finish(legEnded(draft(ctx), 'vp'), 'acknowledged', 'the caller hung up before the answer')) : null),
    stall: (ctx) => end(finish(draft(ctx), 'failed', 'Telnyx did not confirm the answer')),
    failure: giveUpAnywhere,
  },
  pin: {
    gather_ended: (ctx, e) => {
      if (!isVp(e) || !isLatestEnd(e) || endedByHangup(e)) return null;
      const d = draft(ctx);
      if (e.pinOk === true)
        return startCallBack(act(d, { do: 'note', event: 'vp.intent', detail: { intent: 'pin accepted', via: 'keys' } }));
      d.ctx.callBack!.pinTries += 1;
      if (d.ctx.callBack!.pinTries >= 2) return close(d, 'pin_refused', 'failed', 'the caller did not key the right PIN');
      return askPin(d, 'pin_again');
    },
    hangup: (ctx, e) => (isVp(e) ? end(finish(legEnded(draft(ctx), 'vp'), 'failed', 'the caller hung up at the PIN')) : null),
    stall: (ctx) => {
      const d = draft(ctx);
      if (d.ctx.stalls >= 1) return close(d, 'pin_refused', 'failed', 'no PIN was keyed');
      d.ctx.stalls += 1;
      return askPin(d, 'pin_again');
    },
    failure: giveUpAnywhere,
  },
  voicemail_greeting: {
    greeting_ended: (ctx, e) => (isVp(e) ? leaveVoicemail(draft(ctx)) : null),
    hangup: (ctx, e) => (isVp(e) ? end(finish(legEnded(draft(ctx), 'vp'), 'voicemail', 'the voicemail hung up before the message')) : null),
    // The greeting's end never came: leave the message anyway rather than hold a silent line.
    stall: (ctx) => leaveVoicemail(draft(ctx)),
    failure: giveUpAnywhere,
  },
  voicemail_message: {
    speak_ended: (ctx, e) => {
      if (!isVp(e) || !isLatestEnd(e)) return null;
      const left = e.status === 'completed';
      const d = act(draft(ctx), { do: 'note', event: 'vp.voicemail_message', detail: { left, status: e.status } });
      return end(finish(d, 'voicemail', left ? 'message left' : `message cut off (${e.status})`));
    },
    hangup: (ctx, e) =>
      isVp(e) ? end(finish(legEnded(draft(ctx), 'vp'), 'voicemail', 'the line hung up before the message ended')) : null,
    stall: (ctx) => end(finish(draft(ctx), 'voicemail', 'message not confirmed as played')),
    failure: giveUpAnywhere,
  },
  briefing: {
    amd: (ctx, e) => (isVp(e) && e.result === 'machine' ? toVoicemail(draft(ctx)) : null),
    speak_ended: (ctx, e) => {
      if (!isVp(e) || !isLatestEnd(e) || endedByHangup(e)) return null;
      if (e.prompt!.name === 'headline') return gather(draft(ctx), 'vp', 'briefing', VP_MENU_DIGITS);
      // After an answer to a question the menu continues.
      if (e.prompt!.name === 'answer') return gather(draft(ctx), 'vp', 'menu', VP_MENU_DIGITS);
      return null;
    },
    gather_ended: (ctx, e) => {
      if (!isVp(e) || !isLatestEnd(e) || endedByHangup(e)) return null;
      const intent = intentFromDigits(e.digits);
      if (intent) return onVpIntent(draft(ctx), intent, 'keys');
      // Nothing we can act on ended the newest prompt (a timeout, a key outside the menu, a cancel we did not
      // ask for): nothing plays now, so it counts as silence rather than leaving the line quiet.
      const d = draft(ctx);
      d.ctx.silences += 1;
      if (d.ctx.silences >= 2) return close(d, 'goodbye_timeout', 'acknowledged', 'no answer to the briefing (timeout)');
      return gather(act(d, { do: 'note', event: 'vp.silence' }), 'vp', 'briefing_again', VP_MENU_DIGITS);
    },
    transcript: (ctx, e) => {
      if (!isVp(e)) return null;
      const intent = intentFromSpeech(e.text);
      if (intent) return onVpIntent(draft(ctx), intent, 'speech');
      return looksLikeQuestion(e.text) ? askedQuestion(draft(ctx), e.text) : null;
    },
    hangup: vpHangupAnywhere,
    stall: (ctx) => {
      const d = draft(ctx);
      if (d.ctx.stalls >= 1)
        return close(
          act(d, { do: 'note', event: 'call.stalled', detail: { next: 'closed' } }),
          'apology',
          'failed',
          'the call stalled: no prompt end or answer arrived',
        );
      d.ctx.stalls += 1;
      return gather(
        act(d, { do: 'note', event: 'call.stalled', detail: { next: 'prompted again' } }),
        'vp',
        'briefing_again',
        VP_MENU_DIGITS,
      );
    },
    failure: giveUpAnywhere,
  },
  ae_ringing: {
    answered: (ctx, e) => (isAe(e) ? act(draft(ctx), { do: 'note', event: 'ae.answered' }) : null),
    amd: (ctx, e) => {
      if (!isAe(e)) return null;
      const d = draft(ctx);
      d.ctx.legs.ae!.answered = true;
      if (e.result === 'machine') return aeUnavailable(d, 'ae_voicemail', "the account executive's voicemail answered");
      act(d, { do: 'note', event: 'ae.human' }, { do: 'transcription_start', leg: 'ae' });
      return to(gather(d, 'ae', 'whisper', '12'), 'ae_whisper');
    },
    hangup: (ctx, e) => {
      const d = legEnded(draft(ctx), e.leg);
      if (isVp(e)) return end(finish(d, 'acknowledged', 'the VP hung up while the account executive was ringing'));
      return aeUnavailable(d, 'ae_unavailable', NOT_REACHED[e.cause] ?? `account executive not reached (${e.cause})`);
    },
    stall: (ctx) => aeUnavailable(draft(ctx), 'ae_unavailable', 'account executive not reached: no word from Telnyx within the ring time'),
    failure: giveUpAnywhere,
  },
  ae_whisper: {
    gather_ended: (ctx, e) => {
      if (!isAe(e) || !isLatestEnd(e) || endedByHangup(e)) return null;
      const answer = aeAnswerFrom({ digits: e.digits });
      if (answer === 'accept') return bridge(draft(ctx), 'keys');
      return aeUnavailable(
        draft(ctx),
        'ae_declined',
        answer === 'decline' ? 'the account executive declined' : 'the account executive did not accept',
      );
    },
    transcript: (ctx, e) => {
      if (!isAe(e)) return null;
      const answer = aeAnswerFrom({ transcript: e.text });
      if (answer === 'accept') return bridge(stopGatherIfListening(draft(ctx), 'ae'), 'speech');
      if (answer === 'decline')
        return aeUnavailable(stopGatherIfListening(draft(ctx), 'ae'), 'ae_declined', 'the account executive declined');
      return null;
    },
    hangup: (ctx, e) => {
      const d = legEnded(draft(ctx), e.leg);
      if (isVp(e)) return end(finish(d, 'acknowledged', 'the VP hung up during the whisper'));
      return aeUnavailable(d, 'ae_unavailable', 'the account executive hung up');
    },
    stall: (ctx) => aeUnavailable(draft(ctx), 'ae_declined', 'the account executive did not accept (no answer arrived)'),
    failure: giveUpAnywhere,
  },
  bridging: {
    bridged: (ctx) => to(act(draft(ctx), { do: 'note', event: 'bridged' }, { do: 'outcome', result: 'connected' }), 'bridged'),
    hangup: (ctx, e) => {
      const d = legEnded(draft(ctx), e.leg);
      if (isVp(e)) return end(finish(d, 'acknowledged', 'the VP hung up before the bridge'));
      return aeUnavailable(d, 'ae_unavailable', 'the account executive hung up before the bridge');
    },
    stall: (ctx) => giveUp(draft(ctx), 'Telnyx did not confirm the bridge'),
    failure: giveUpAnywhere,
  },
  bridged: {
    bridged: () => null,
    // Either side leaving ends the conversation; the parked leg is hung up rather than left in silence.
    hangup: (ctx, e) => end(finish(legEnded(draft(ctx), e.leg), 'connected', null)),
    failure: (ctx, e) => act(draft(ctx), { do: 'note', event: 'call.failed', detail: { reason: e.reason, while: 'bridged' } }),
  },
  closing: {
    speak_ended: (ctx, e) => (isVp(e) && isLatestEnd(e) ? end(draft(ctx)) : null),
    hangup: (ctx, e) => (isVp(e) ? end(legEnded(draft(ctx), 'vp')) : legEnded(draft(ctx), 'ae')),
    stall: (ctx) => end(draft(ctx)),
    // Even the last sentence was refused: hang up now.
    failure: (ctx, e) =>
      end(act(finish(draft(ctx), 'failed', e.reason), { do: 'note', event: 'call.failed', detail: { reason: e.reason } })),
  },
  ended: {},
};

function legAnswered(d: Draft): Draft {
  d.ctx.legs.vp.answered = true;
  return d;
}

function bridge(d: Draft, via: 'keys' | 'speech'): Draft {
  act(
    d,
    { do: 'note', event: 'ae.accepted', detail: { via } },
    { do: 'transcription_stop', leg: 'ae' },
    { do: 'transcription_stop', leg: 'vp' },
    { do: 'bridge' },
  );
  return to(d, 'bridging');
}

/**
 * Applies one event. A prompt's end is first matched to the oldest pending prompt of its kind on that leg
 * (in every state, so the queue stays true); then the state's row decides. Returns null when the event
 * changes nothing (a duplicate, a late event after the call moved on): the caller records it and moves on.
 */
export function applyCallEvent(ctx: CallContext, event: CallEvent): Transition | null {
  let base = ctx;
  let e: CallEvent | EndedEvent = event;
  if ((event.type === 'failure' || event.type === 'hangup') && event.unsent?.length) {
    base = structuredClone(ctx);
    for (const u of event.unsent) {
      const l = base.legs[u.leg];
      if (l) l.queue = l.queue.filter((p) => p.step !== u.step);
    }
  }
  if (event.type === 'speak_ended' || event.type === 'gather_ended') {
    const consumed = consumeEnd(ctx, event.leg, event.type === 'speak_ended' ? 'speak' : 'gather');
    base = consumed.ctx;
    e = { ...event, ...consumed.end };
  }
  const handler = TRANSITIONS[base.state][e.type] as ((c: CallContext, e: CallEvent) => Draft | null) | undefined;
  const d = handler?.(base, e) ?? (base === ctx ? null : { ctx: base, actions: [] });
  if (!d) return null;
  d.ctx.tick = ctx.tick + 1;
  return { ctx: d.ctx, actions: d.actions };
}
