import { randomBytes, randomUUID } from 'node:crypto';
import { buildEventData, telnyxTime, type EventData, type PayloadLeg } from './event-payloads.ts';
import { labelFor, maskNumber, quote, spokenText } from './print-lines.ts';
import type { LegState, Persona, PersonaResponse, SimCall } from './sim-types.ts';

// Simulated durations in ms, all multiplied by timeScale.
const DEFAULT_RING_MS: Record<Persona['answer'], number> = {
  human: 3000,
  machine: 4000,
  busy: 1000,
  reject: 2000,
  no_answer: Number.POSITIVE_INFINITY,
};
const INITIATED_AFTER_MS = 100;
const AMD_HUMAN_MS = 1500;
const AMD_MACHINE_MS = 3500;
const MACHINE_GREETING_MS = 6000;
const MS_PER_CHAR = 60;
const MIN_SPEECH_MS = 500;
const REACTION_MS = 1200; // a person barges in shortly after a prompt starts
const KEY_GAP_MS = 150;
const DEFAULT_TALK_MS = 20_000;
const DEFAULT_IDLE_HANGUP_MS = 60_000;
const OTHER_LEG_PATIENCE_MS = 800;

type SpeakJob = { clientState: string | null; started: boolean };
type GatherJob = { clientState: string | null; body: Record<string, any>; started: boolean };

export type Leg = PayloadLeg & {
  persona: Persona;
  label: string;
  state: LegState;
  webhookUrl: string;
  clientState: string | null;
  amd: string | undefined;
  timeoutMs: number;
  bridgeOnAnswer: boolean;
  linkTo: string | undefined;
  parkAfterUnbridge: boolean;
  responses: PersonaResponse[];
  transcription: { clientState: string | null } | null;
  audioFreeAt: number;
  speaks: Set<SpeakJob>;
  gather: GatherJob | null;
  timers: Set<NodeJS.Timeout>;
  idleTimer: NodeJS.Timeout | null;
  talkTimer: NodeJS.Timeout | null;
  bridgedWith: Leg | null;
  answeredBy?: 'human' | 'machine';
  hangupCause?: string;
};

export type DialRequest = {
  connection_id: string;
  from: string;
  to: string;
  webhook_url: string;
  client_state?: string | null;
  answering_machine_detection?: string;
  timeout_secs?: number;
  link_to?: string;
  bridge_on_answer?: boolean;
  park_after_unbridge?: string;
};

export type CallEngine = ReturnType<typeof createCallEngine>;

/** The telephone side: ringing, answering, speaking and people reacting, expressed as webhook events. */
export function createCallEngine(opts: {
  timeScale: number;
  personaFor: (number: string) => Persona;
  names: Record<string, string> | undefined;
  print: (line: string) => void;
  emit: (leg: Leg, data: EventData) => void;
  onChange: () => void;
}) {
  const legs = new Map<string, Leg>();
  const scaled = (ms: number) => Math.max(0, ms * opts.timeScale);
  const speechMs = (text: string) => scaled(Math.max(MIN_SPEECH_MS, spokenText(text).length * MS_PER_CHAR));

  /** Timers die with their leg, so a hung-up call never produces late events. */
  function afterReal(leg: Leg, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      leg.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    leg.timers.add(t);
    return t;
  }
  const after = (leg: Leg, ms: number, fn: () => void) => afterReal(leg, scaled(ms), fn);

  function emit(leg: Leg, type: string, clientState: string | null, extra: Record<string, unknown> = {}) {
    opts.emit(leg, buildEventData(type, leg, clientState, extra));
  }

  const alive = (leg: Leg | null | undefined): leg is Leg => !!leg && leg.state !== 'ended';

  function dial(req: DialRequest): Leg {
    const linked = req.link_to ? legs.get(req.link_to) : undefined;
    const persona = opts.personaFor(req.to);
    const leg: Leg = {
      callControlId: `v3:${randomBytes(30).toString('base64url')}`,
      callLegId: randomUUID(),
      callSessionId: linked?.callSessionId ?? randomUUID(),
      connectionId: req.connection_id,
      from: req.from,
      to: req.to,
      initiatedAt: new Date(),
      persona,
      label: labelFor(req.to, opts.names),
      state: 'ringing',
      webhookUrl: req.webhook_url,
      clientState: req.client_state ?? null,
      amd: req.answering_machine_detection,
      timeoutMs: (req.timeout_secs ?? 30) * 1000,
      bridgeOnAnswer: req.bridge_on_answer === true,
      linkTo: linked?.callControlId,
      parkAfterUnbridge: req.park_after_unbridge === 'self',
      responses: [...(persona.responses ?? [])],
      transcription: null,
      audioFreeAt: 0,
      speaks: new Set(),
      gather: null,
      timers: new Set(),
      idleTimer: null,
      talkTimer: null,
      bridgedWith: null,
    };
    legs.set(leg.callControlId, leg);
    after(leg, INITIATED_AFTER_MS, () => startRinging(leg));
    return leg;
  }

  function startRinging(leg: Leg) {
    emit(leg, 'call.initiated', leg.clientState, { direction: 'outgoing', state: 'bridging' });
    opts.print(`☎  ringing ${leg.label} (${maskNumber(leg.to)})`);
    for (const other of legs.values()) {
      if (other !== leg && alive(other) && other.persona.hangupDuringRingOfOtherLeg) {
        after(other, OTHER_LEG_PATIENCE_MS, () => {
          if (leg.state === 'ringing') personaHangup(other, 'gave up waiting');
        });
      }
    }
    const p = leg.persona;
    const ringMs = p.ringMs ?? DEFAULT_RING_MS[p.answer];
    if (p.answer === 'no_answer' || ringMs >= leg.timeoutMs) {
      after(leg, leg.timeoutMs, () => {
        opts.print(`📵 ${leg.label} did not answer (timeout)`);
        endLeg(leg, { cause: 'timeout', source: 'caller', sip: '487' });
      });
      return;
    }
    after(leg, ringMs, () => {
      if (p.answer === 'busy') {
        opts.print(`📵 ${leg.label} is busy`);
        endLeg(leg, { cause: 'user_busy', source: 'callee', sip: '486' });
      } else if (p.answer === 'reject') {
        opts.print(`📵 ${leg.label} declined the call`);
        endLeg(leg, { cause: 'call_rejected', source: 'callee', sip: '603' });
      } else if (p.answer === 'human' || p.answer === 'machine') {
        answer(leg, p.answer);
      }
    });
  }

  function answer(leg: Leg, by: 'human' | 'machine') {
    leg.state = 'answered';
    leg.answeredAt = new Date();
    leg.answeredBy = by;
    emit(leg, 'call.answered', leg.clientState, { start_time: telnyxTime(leg.answeredAt), state: 'answered' });
    opts.print(by === 'human' ? `✅ ${leg.label} answered` : `📼 ${leg.label}'s voicemail picked up`);
    scheduleAmd(leg, by);
    const linked = leg.linkTo ? legs.get(leg.linkTo) : undefined;
    if (leg.bridgeOnAnswer && alive(linked) && linked.state === 'answered') bridge(linked, leg, {});
    armIdle(leg);
  }

  /** Standard AMD names its verdict call.machine.*; premium uses call.machine.premium.* (telnyx.md §4.2). */
  function scheduleAmd(leg: Leg, by: 'human' | 'machine') {
    const mode = leg.amd;
    if (!mode || mode === 'disabled') return;
    const premium = mode === 'premium';
    const prefix = premium ? 'call.machine.premium' : 'call.machine';
    after(leg, by === 'human' ? AMD_HUMAN_MS : AMD_MACHINE_MS, () => {
      const result = by === 'human' ? (premium ? 'human_residence' : 'human') : 'machine';
      emit(leg, `${prefix}.detection.ended`, leg.clientState, { result });
      opts.print(`🤖 AMD on ${leg.label}: ${result}`);
    });
    const greetingMode = premium || ['detect_words', 'greeting_end', 'detect_beep'].includes(mode);
    if (by === 'machine' && greetingMode) {
      after(leg, MACHINE_GREETING_MS, () => {
        // detect_beep reports only a heard beep; the other modes report the greeting's end.
        const result = premium || mode === 'detect_beep' ? 'beep_detected' : 'ended';
        emit(leg, `${prefix}.greeting.ended`, leg.clientState, { result });
        opts.print(`📼 ${leg.label}'s greeting ended (${result})`);
      });
    }
  }

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
      opts.print(`🔊 to ${leg.label}: ${quote(String(body['payload']))}`);
    });
    afterReal(leg, startIn + duration, () => {
      leg.speaks.delete(job);
      emit(leg, 'call.speak.ended', job.clientState, { status: 'completed' });
      armIdle(leg);
    });
  }

  function gatherUsingSpeak(leg: Leg, body: Record<string, any>) {
    if (leg.gather) endGather(leg, 'cancelled', '');
    const g: GatherJob = { clientState: body['client_state'] ?? leg.clientState, body, started: false };
    leg.gather = g;
    const [startIn, duration] = queueAudio(leg, String(body['payload']));
    const current = () => leg.gather === g;
    afterReal(leg, startIn, () => {
      if (!current()) return;
      g.started = true;
      emit(leg, 'call.speak.started', g.clientState);
      opts.print(`🔊 to ${leg.label}: ${quote(String(body['payload']))}`);
      const response = leg.responses.shift() ?? { silence: true };
      const timeoutMs = scaled(Number(body['timeout_millis'] ?? 60_000));
      afterReal(leg, duration + timeoutMs, () => {
        if (!current()) return;
        opts.print(`⌛ ${leg.label} pressed nothing (gather timeout)`);
        endGather(leg, 'timeout', '');
      });
      after(leg, REACTION_MS, () => {
        if (!current()) return;
        if ('press' in response) pressKeys(leg, g, response.press);
        else if ('say' in response) say(leg, response.say);
        else if ('hangup' in response) personaHangup(leg, 'hung up during the prompt');
      });
    });
  }

  /** Speech reaches the app only through transcription: gather_using_speak is DTMF-only (telnyx.md §2.1). */
  function say(leg: Leg, text: string) {
    opts.print(`🗣  ${leg.label} said: ${quote(text)}${leg.transcription ? '' : ' (no transcription running: unheard)'}`);
    if (!leg.transcription) return;
    emit(leg, 'call.transcription', leg.transcription.clientState, {
      transcription_data: { confidence: 0.93, is_final: true, transcript: text },
    });
  }

  function pressKeys(leg: Leg, g: GatherJob, keys: string) {
    opts.print(`⌨  ${leg.label} pressed ${keys}`);
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
    armIdle(leg);
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

  function bridge(a: Leg, b: Leg, body: Record<string, any>) {
    a.state = 'bridged';
    b.state = 'bridged';
    a.bridgedWith = b;
    b.bridgedWith = a;
    if (body['park_after_unbridge'] === 'self') a.parkAfterUnbridge = true;
    for (const leg of [a, b]) clearIdle(leg);
    emit(a, 'call.bridged', body['client_state'] ?? a.clientState, { state: 'bridged' });
    emit(b, 'call.bridged', b.clientState, { state: 'bridged' });
    opts.print(`🔗 bridged ${a.label} ↔ ${b.label}`);
    const talkMs = a.persona.talkMs ?? b.persona.talkMs ?? DEFAULT_TALK_MS;
    a.talkTimer = after(a, talkMs, () => personaHangup(a, 'finished talking'));
  }

  function hangup(leg: Leg, body: Record<string, any>) {
    const cause = leg.state === 'ringing' ? 'originator_cancel' : 'normal_clearing';
    opts.print(`📴 hung up on ${leg.label} (${cause})`);
    endLeg(leg, {
      cause,
      source: 'caller',
      sip: cause === 'originator_cancel' ? '487' : 'unspecified',
      clientState: body['client_state'] ?? leg.clientState,
    });
  }

  function updateClientState(leg: Leg, body: Record<string, any>) {
    leg.clientState = body['client_state'] ?? null;
  }

  function personaHangup(leg: Leg, why: string) {
    if (!alive(leg)) return;
    opts.print(`📴 ${leg.label} hung up (normal_clearing: ${why})`);
    endLeg(leg, { cause: 'normal_clearing', source: 'callee', sip: 'unspecified' });
  }

  function endLeg(leg: Leg, h: { cause: string; source: string; sip: string; clientState?: string | null }) {
    if (!alive(leg)) return;
    for (const job of leg.speaks) if (job.started) emit(leg, 'call.speak.ended', job.clientState, { status: 'call_hangup' });
    leg.speaks.clear();
    if (leg.gather) {
      const g = leg.gather;
      leg.gather = null;
      emit(leg, 'call.gather.ended', g.clientState, { digits: '', status: 'call_hangup' });
    }
    for (const t of leg.timers) clearTimeout(t);
    leg.timers.clear();
    clearIdle(leg);
    leg.state = 'ended';
    leg.hangupCause = h.cause;
    emit(leg, 'call.hangup', h.clientState ?? leg.clientState, {
      hangup_cause: h.cause,
      hangup_source: h.source,
      sip_hangup_cause: h.sip,
      start_time: telnyxTime(leg.answeredAt ?? leg.initiatedAt),
      state: 'hangup',
    });
    const peer = leg.bridgedWith;
    leg.bridgedWith = null;
    if (alive(peer)) {
      peer.bridgedWith = null;
      cancelTimer(peer, peer.talkTimer);
      peer.talkTimer = null;
      if (peer.parkAfterUnbridge) {
        peer.state = 'answered';
        opts.print(`🅿  ${peer.label} stays on the line (park_after_unbridge)`);
        armIdle(peer);
      } else {
        opts.print(`📴 ${peer.label}'s leg ended with the bridge`);
        endLeg(peer, { cause: 'normal_clearing', source: 'caller', sip: 'unspecified' });
      }
    }
    opts.onChange();
  }

  function cancelTimer(leg: Leg, t: NodeJS.Timeout | null) {
    if (!t) return;
    clearTimeout(t);
    leg.timers.delete(t);
  }

  function clearIdle(leg: Leg) {
    cancelTimer(leg, leg.idleTimer);
    leg.idleTimer = null;
  }

  /** A person left in silence hangs up eventually; waiting for a ringing transfer target does not count. */
  function armIdle(leg: Leg) {
    clearIdle(leg);
    if (leg.state !== 'answered') return;
    leg.idleTimer = after(leg, leg.persona.hangupAfterIdleMs ?? DEFAULT_IDLE_HANGUP_MS, () => {
      leg.idleTimer = null;
      const busy =
        leg.gather !== null ||
        leg.audioFreeAt > Date.now() ||
        [...legs.values()].some((o) => o !== leg && o.state === 'ringing');
      if (busy) armIdle(leg);
      else personaHangup(leg, 'nothing happened for a while');
    });
  }

  return {
    dial,
    find: (id: string) => legs.get(id),
    alive,
    speak,
    gatherUsingSpeak,
    stopGather,
    startTranscription,
    stopTranscription,
    bridge,
    hangup,
    updateClientState,
    /** Any command counts as the app still attending to the call. */
    touch: (leg: Leg) => armIdle(leg),
    aliveCount: () => [...legs.values()].filter((l) => l.state !== 'ended').length,
    totalCount: () => legs.size,
    calls(): SimCall[] {
      return [...legs.values()].map((l) => ({
        callControlId: l.callControlId,
        callLegId: l.callLegId,
        callSessionId: l.callSessionId,
        to: l.to,
        ...(opts.names?.[l.to] ? { role: opts.names[l.to] } : {}),
        state: l.state,
        ...(l.answeredBy ? { answeredBy: l.answeredBy } : {}),
        ...(l.hangupCause ? { hangupCause: l.hangupCause } : {}),
      }));
    },
    close(): void {
      for (const leg of legs.values()) {
        for (const t of leg.timers) clearTimeout(t);
        leg.timers.clear();
        clearIdle(leg);
      }
    },
  };
}
