import type { GatherJob, Leg, SpeakJob } from './call-leg.ts';
import { quote, spokenText } from './print-lines.ts';

// Simulated durations in ms, multiplied by timeScale.
const MS_PER_CHAR = 60;
const MIN_SPEECH_MS = 500;
const REACTION_MS = 1200; // a person barges in shortly after a prompt starts
const KEY_GAP_MS = 150;

/** What the media side needs from the engine: timers tied to the leg, events, and the person's hang-up. */
export type MediaContext = {
  scaled: (ms: number) => number;
  after: (leg: Leg, ms: number, fn: () => void) => NodeJS.Timeout;
  afterReal: (leg: Leg, ms: number, fn: () => void) => NodeJS.Timeout;
  emit: (leg: Leg, type: string, clientState: string | null, extra?: Record<string, unknown>) => void;
  print: (line: string) => void;
  armIdle: (leg: Leg) => void;
  personaHangup: (leg: Leg) => void;
};

/** Prompts, key presses and speech on an answered leg. */
export function createLegMedia(ctx: MediaContext) {
  const { scaled, after, afterReal, emit } = ctx;
  const speechMs = (text: string) => scaled(Math.max(MIN_SPEECH_MS, spokenText(text).length * MS_PER_CHAR));

  /** Prompts on one leg play one after another, like Telnyx's audio queue. Returns [startIn, duration]. */
  function queueAudio(leg: Leg, text: string): [number, number] {
    const now = Date.now();
    const start = Math.max(now, leg.audioFreeAt);
    const duration = speechMs(text);
    leg.audioFreeAt = start + duration;
    return [start - now, duration];
  }

  function speak(leg: Leg, body: Record<string, any>) {
    const job: SpeakJob = { clientState: body['client_state'] ?? leg.clientState, started: false };
    leg.speaks.add(job);
    const [startIn, duration] = queueAudio(leg, String(body['payload']));
    afterReal(leg, startIn, () => {
      job.started = true;
      emit(leg, 'call.speak.started', job.clientState);
      ctx.print(`🔊 to ${leg.label}: ${quote(String(body['payload']))}`);
    });
    afterReal(leg, startIn + duration, () => {
      leg.speaks.delete(job);
      emit(leg, 'call.speak.ended', job.clientState, { status: 'completed' });
      ctx.armIdle(leg);
    });
  }

  function gatherUsingSpeak(leg: Leg, body: Record<string, any>) {
    if (leg.gather) endGather(leg, 'cancelled', '');
    const g: GatherJob = { clientState: body['client_state'] ?? leg.clientState, body };
    leg.gather = g;
    const [startIn, duration] = queueAudio(leg, String(body['payload']));
    const current = () => leg.gather === g;
    afterReal(leg, startIn, () => {
      if (!current()) return;
      emit(leg, 'call.speak.started', g.clientState);
      ctx.print(`🔊 to ${leg.label}: ${quote(String(body['payload']))}`);
      const response = leg.responses.shift() ?? { silence: true };
      const timeoutMs = scaled(Number(body['timeout_millis'] ?? 60_000));
      afterReal(leg, duration + timeoutMs, () => {
        if (!current()) return;
        ctx.print(`⌛ ${leg.label} pressed nothing (gather timeout)`);
        endGather(leg, 'timeout', '');
      });
      after(leg, REACTION_MS, () => {
        if (!current()) return;
        if ('press' in response) pressKeys(leg, g, response.press);
        else if ('say' in response) say(leg, response.say);
        else if ('hangup' in response) ctx.personaHangup(leg);
      });
    });
  }

  /** Speech reaches the app only through transcription: gather_using_speak is DTMF-only (telnyx.md §2.1). */
  function say(leg: Leg, text: string) {
    ctx.print(`🗣  ${leg.label} said: ${quote(text)}${leg.transcription ? '' : ' (no transcription running: unheard)'}`);
    if (!leg.transcription) return;
    emit(leg, 'call.transcription', leg.transcription.clientState, {
      transcription_data: { confidence: 0.93, is_final: true, transcript: text },
    });
  }

  function pressKeys(leg: Leg, g: GatherJob, keys: string) {
    ctx.print(`⌨  ${leg.label} pressed ${keys}`);
    leg.audioFreeAt = Math.min(leg.audioFreeAt, Date.now()); // a key press interrupts the prompt
    const valid = String(g.body['valid_digits'] ?? '0123456789#*');
    const terminator = String(g.body['terminating_digit'] ?? '#');
    const max = Number(g.body['maximum_digits'] ?? 128);
    const min = Number(g.body['minimum_digits'] ?? 1);
    let digits = '';
    const finish = () => {
      if (leg.gather !== g) return;
      const ok = digits.length >= min && [...digits].every((d) => valid.includes(d));
      endGather(leg, ok ? 'valid' : 'invalid', digits);
    };
    [...keys].forEach((key, i) => {
      after(leg, i * KEY_GAP_MS, () => {
        if (leg.gather !== g) return;
        emit(leg, 'call.dtmf.received', g.clientState, { digit: key });
        if (terminator !== '' && key === terminator) return finish();
        digits += key;
        if (digits.length >= max) return finish();
        // Keys ran out without a terminator: Telnyx waits the inter-digit timeout, then ends the gather.
        if (i === keys.length - 1) after(leg, Number(g.body['inter_digit_timeout_millis'] ?? 5000), finish);
      });
    });
  }

  function endGather(leg: Leg, status: string, digits: string) {
    const g = leg.gather;
    if (!g) return;
    leg.gather = null;
    if (status !== 'valid') leg.audioFreeAt = Math.min(leg.audioFreeAt, Date.now());
    emit(leg, 'call.gather.ended', g.clientState, { digits, status });
    ctx.armIdle(leg);
  }

  function stopGather(leg: Leg) {
    endGather(leg, 'cancelled', '');
  }

  function startTranscription(leg: Leg, body: Record<string, any>) {
    leg.transcription = { clientState: body['client_state'] ?? leg.clientState };
  }

  function stopTranscription(leg: Leg) {
    leg.transcription = null;
  }

  return { speak, gatherUsingSpeak, stopGather, startTranscription, stopTranscription };
}
