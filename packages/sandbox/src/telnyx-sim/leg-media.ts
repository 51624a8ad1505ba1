import type { AudioItem, GatherJob, Leg } from './call-leg.ts';
import { quote, spokenText } from './print-lines.ts';
import type { AudioEntry, PersonaAction, PersonaResponse, TelnyxModes } from './sim-types.ts';

// Simulated durations in ms, multiplied by timeScale.
const MS_PER_CHAR = 60;
const MIN_SPEECH_MS = 500;
const REACTION_MS = 1200; // a person barges in shortly after a prompt starts
const KEY_GAP_MS = 150;

type CutStatus = 'cut' | 'cancelled_amd' | 'call_hangup';

/** What the media side needs from the engine: timers tied to the leg, events, and the person's hang-up. */
export type MediaContext = {
  scaled: (ms: number) => number;
  after: (leg: Leg, ms: number, fn: () => void) => NodeJS.Timeout;
  afterReal: (leg: Leg, ms: number, fn: () => void) => NodeJS.Timeout;
  emit: (leg: Leg, type: string, clientState: string | null, extra?: Record<string, unknown>) => void;
  print: (line: string) => void;
  armIdle: (leg: Leg) => void;
  personaHangup: (leg: Leg) => void;
  modes: () => TelnyxModes;
  /** Shared records a test reads: every prompt, every say / press. */
  timeline: AudioEntry[];
  actions: PersonaAction[];
};

/**
 * Prompts, key presses and speech on an answered leg. Prompts go through one queue per leg, as Telnyx
 * plays consecutive speaks one after another; `stop`, a key press, gather_stop, AMD and hang-up cut it.
 */
export function createLegMedia(ctx: MediaContext) {
  const { scaled, after, afterReal, emit } = ctx;
  const speechMs = (text: string) => scaled(Math.max(MIN_SPEECH_MS, spokenText(text).length * MS_PER_CHAR));

  function newItem(leg: Leg, kind: AudioItem['kind'], body: Record<string, any>): AudioItem {
    const payload = String(body['payload']);
    const entry: AudioEntry = { callControlId: leg.callControlId, label: leg.label, kind, text: spokenText(payload), queuedAt: Date.now() };
    ctx.timeline.push(entry);
    return { kind, payload, clientState: body['client_state'] ?? leg.clientState, entry, gather: null, endTimer: null };
  }

  function enqueue(leg: Leg, item: AudioItem) {
    leg.queued.push(item);
    if (!leg.playing) playNext(leg);
  }

  function playNext(leg: Leg) {
    leg.playing = null;
    const item = leg.queued.shift();
    if (!item) return ctx.armIdle(leg);
    leg.playing = item;
    item.entry.startedAt = Date.now();
    emit(leg, 'call.speak.started', item.clientState);
    ctx.print(`🔊 to ${leg.label}: ${quote(item.payload)}`);
    const duration = speechMs(item.payload);
    item.endTimer = afterReal(leg, duration, () => {
      item.endTimer = null;
      playedToEnd(leg, item);
    });
    const g = item.gather;
    if (g) {
      const timeoutMs = scaled(Number(g.body['timeout_millis'] ?? 60_000));
      afterReal(leg, duration + timeoutMs, () => {
        if (leg.gather !== g) return;
        ctx.print(`⌛ ${leg.label} pressed nothing (gather timeout)`);
        endGather(leg, 'timeout', '');
      });
    }
    react(leg, item);
  }

  /** A gather's prompt ending is not the gather ending: it keeps listening for timeout_millis. */
  function playedToEnd(leg: Leg, item: AudioItem) {
    if (leg.playing !== item) return;
    item.entry.endedAt = Date.now();
    if (item.kind === 'speak') {
      item.entry.status = 'completed';
      emit(leg, 'call.speak.ended', item.clientState, { status: 'completed' });
    }
    playNext(leg);
  }

  /** Takes an item off the queue without events or advancing; true when it was the one playing. */
  function removeAudio(leg: Leg, item: AudioItem): boolean {
    if (leg.playing === item) {
      if (item.endTimer) {
        clearTimeout(item.endTimer);
        leg.timers.delete(item.endTimer);
        item.endTimer = null;
      }
      item.entry.endedAt = Date.now();
      leg.playing = null;
      return true;
    }
    const i = leg.queued.indexOf(item);
    if (i >= 0) leg.queued.splice(i, 1);
    return false;
  }

  /**
   * Cuts one prompt. A cut speak that was playing ends with status 'completed' (Telnyx documents no other
   * status for a stopped speak); one that never started sends nothing. A cut gather ends as 'cancelled'.
   */
  function cut(leg: Leg, item: AudioItem, how: CutStatus) {
    if (item.gather && leg.gather === item.gather) {
      endGather(leg, how === 'cut' ? 'cancelled' : how, '', false);
      return;
    }
    const wasPlaying = removeAudio(leg, item);
    if (item.kind === 'gather') return;
    item.entry.status = how;
    if (wasPlaying) emit(leg, 'call.speak.ended', item.clientState, { status: how === 'cut' ? 'completed' : how });
  }

  /** The person's next reaction: a gather always takes one; a plain speak only one marked during:'any'. */
  function react(leg: Leg, item: AudioItem) {
    let response: PersonaResponse | undefined;
    if (item.kind === 'gather') response = leg.responses.shift() ?? { silence: true };
    else if (leg.responses[0]?.during === 'any') response = leg.responses.shift();
    if (!response) return;
    const r = response;
    const g = item.gather;
    after(leg, REACTION_MS, () => {
      // A gather's reaction is to that gather: once it ended (cut, replaced), the moment has passed.
      if (g && leg.gather !== g) return;
      if ('press' in r) pressKeys(leg, r.press);
      else if ('say' in r) say(leg, r.say);
      else if ('hangup' in r) ctx.personaHangup(leg);
    });
  }

  /** Speech reaches the app only through transcription: gather_using_speak is DTMF-only (docs/vendor-facts.md#audio). */
  function say(leg: Leg, text: string) {
    ctx.actions.push({ callControlId: leg.callControlId, label: leg.label, at: Date.now(), kind: 'say', text });
    ctx.print(`🗣  ${leg.label} said: ${quote(text)}${leg.transcription ? '' : ' (no transcription running: unheard)'}`);
    if (!leg.transcription) return;
    emit(leg, 'call.transcription', leg.transcription.clientState, {
      transcription_data: { confidence: 0.93, is_final: true, transcript: text },
    });
  }

  /** Keys go to the running gather; with none, they arrive on their own only if dtmfOutsideGather allows. */
  function pressKeys(leg: Leg, keys: string) {
    ctx.actions.push({ callControlId: leg.callControlId, label: leg.label, at: Date.now(), kind: 'press', text: keys });
    const g = leg.gather;
    if (g) return pressIntoGather(leg, g, keys);
    const heard = ctx.modes().dtmfOutsideGather ?? true;
    ctx.print(`⌨  ${leg.label} pressed ${keys}${heard ? '' : ' (no gather running: lost)'}`);
    if (!heard) return;
    for (const [i, key] of [...keys].entries())
      after(leg, i * KEY_GAP_MS, () => emit(leg, 'call.dtmf.received', leg.clientState, { digit: key }));
  }

  function pressIntoGather(leg: Leg, g: GatherJob, keys: string) {
    ctx.print(`⌨  ${leg.label} pressed ${keys}`);
    // A key press interrupts the gather's own prompt (the gather keeps collecting).
    if (leg.playing === g.item && removeAudio(leg, g.item)) playNext(leg);
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
    const press = (key: string, i: number) => {
      if (leg.gather !== g) return;
      emit(leg, 'call.dtmf.received', g.clientState, { digit: key });
      if (terminator !== '' && key === terminator) return finish();
      digits += key;
      if (digits.length >= max) return finish();
      // Keys ran out without a terminator: Telnyx waits the inter-digit timeout, then ends the gather.
      if (i === keys.length - 1) after(leg, Number(g.body['inter_digit_timeout_millis'] ?? 5000), finish);
    };
    // The first key lands now, not on a fresh timer: after an event-loop stall the gather's own timeout, already
    // due, would otherwise fire first and turn a pressed key into a timeout.
    for (const [i, key] of [...keys].entries()) {
      if (i === 0) press(key, i);
      else after(leg, i * KEY_GAP_MS, () => press(key, i));
    }
  }

  /** Ends the running gather and, with it, its prompt if still queued or playing. */
  function endGather(leg: Leg, status: string, digits: string, advance = true) {
    const g = leg.gather;
    if (!g) return;
    leg.gather = null;
    const wasPlaying = removeAudio(leg, g.item);
    g.item.entry.status ??= status as AudioEntry['status'];
    emit(leg, 'call.gather.ended', g.clientState, { digits, status });
    if (advance && wasPlaying) playNext(leg);
    else ctx.armIdle(leg);
  }

  function speak(leg: Leg, body: Record<string, any>) {
    const stop = body['stop'];
    if (stop === 'current' && leg.playing) cut(leg, leg.playing, 'cut');
    if (stop === 'all') for (const item of [leg.playing, ...leg.queued]) if (item) cut(leg, item, 'cut');
    enqueue(leg, newItem(leg, 'speak', body));
  }

  function gatherUsingSpeak(leg: Leg, body: Record<string, any>) {
    if (leg.gather) endGather(leg, 'cancelled', '', false);
    const item = newItem(leg, 'gather', body);
    const g: GatherJob = { clientState: item.clientState, body, item };
    item.gather = g;
    leg.gather = g;
    enqueue(leg, item);
  }

  function stopGather(leg: Leg) {
    endGather(leg, 'cancelled', '');
  }

  /** AMD's machine verdict cancels what is playing at that moment; the queue behind it goes on. */
  function cancelForAmd(leg: Leg) {
    if (!(ctx.modes().amdCancelsPrompts ?? true) || !leg.playing) return;
    cut(leg, leg.playing, 'cancelled_amd');
    if (!leg.playing) playNext(leg);
  }

  /** The call ended: what was playing ends with call_hangup; queued prompts never play. */
  function endAll(leg: Leg) {
    if (leg.playing) cut(leg, leg.playing, 'call_hangup');
    // A queued speak never plays; a queued gather prompt takes its gather's status just below.
    for (const item of leg.queued.splice(0)) if (item.kind === 'speak') item.entry.status = 'call_hangup';
    if (leg.gather) endGather(leg, 'call_hangup', '', false);
    leg.playing = null;
    leg.queued = [];
  }

  function startTranscription(leg: Leg, body: Record<string, any>) {
    leg.transcription = { clientState: body['client_state'] ?? leg.clientState };
  }

  function stopTranscription(leg: Leg) {
    leg.transcription = null;
  }

  const audioBusy = (leg: Leg) => leg.playing !== null || leg.queued.length > 0;

  return { speak, gatherUsingSpeak, stopGather, startTranscription, stopTranscription, cancelForAmd, endAll, audioBusy };
}
