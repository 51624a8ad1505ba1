import { newIncomingLeg, newLeg, snapshotOf, type DialRequest, type Leg } from './call-leg.ts';
import { buildEventData, telnyxTime, type EventData } from './event-payloads.ts';
import { createLegMedia } from './leg-media.ts';
import { labelFor, maskNumber } from './print-lines.ts';
import type { AudioEntry, IncomingCallRequest, Persona, PersonaAction, SimCall, TelnyxModes } from './sim-types.ts';

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
const DEFAULT_TALK_MS = 20_000;
const DEFAULT_IDLE_HANGUP_MS = 60_000;
const MIN_DEFAULT_IDLE_REAL_MS = 3000;
const OTHER_LEG_PATIENCE_MS = 800;
// How long a caller lets our number ring before giving up (Telnyx's first_command_timeout defaults to 30 s too).
const INCOMING_PATIENCE_MS = 30_000;
// hangupOvertakesAnswer applies to a pick-up-and-hang-up at most this quick (persona ms, unscaled).
const OVERTAKE_WINDOW_MS = 1000;

export type CallEngine = ReturnType<typeof createCallEngine>;

/** The telephone side: ringing, answering, AMD, bridging and hanging up, expressed as webhook events. */
export function createCallEngine(opts: {
  timeScale: number;
  personaFor: (number: string) => Persona;
  names: Record<string, string> | undefined;
  print: (line: string) => void;
  emit: (leg: Leg, data: EventData) => void;
  onChange: () => void;
  modes: () => TelnyxModes;
}) {
  const legs = new Map<string, Leg>();
  const timeline: AudioEntry[] = [];
  const actions: PersonaAction[] = [];
  const scaled = (ms: number) => Math.max(0, ms * opts.timeScale);

  /** Timers die with their leg, so a hung-up call never produces late events. */
  function afterReal(leg: Leg, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(
      () => {
        leg.timers.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    leg.timers.add(t);
    return t;
  }
  const after = (leg: Leg, ms: number, fn: () => void) => afterReal(leg, scaled(ms), fn);

  /**
   * Under clientStateEcho 'leg' every webhook carries the leg's latest client_state, whatever command
   * caused it. Events of a leg whose hangup is to overtake its answer wait until that hangup is out.
   */
  function emit(leg: Leg, type: string, clientState: string | null, extra: Record<string, unknown> = {}) {
    const state = opts.modes().clientStateEcho === 'leg' ? leg.clientState : clientState;
    const data = buildEventData(type, leg, state, extra);
    if (leg.heldEvents && type !== 'call.hangup') leg.heldEvents.push(data);
    else opts.emit(leg, data);
  }

  const alive = (leg: Leg | null | undefined): leg is Leg => !!leg && leg.state !== 'ended';
  const media = createLegMedia({
    scaled,
    after,
    afterReal,
    emit,
    print: opts.print,
    armIdle,
    personaHangup,
    modes: opts.modes,
    timeline,
    actions,
  });

  function dial(req: DialRequest): Leg {
    const linked = req.link_to ? legs.get(req.link_to) : undefined;
    const leg = newLeg(req, opts.personaFor(req.to), labelFor(req.to, opts.names), linked);
    legs.set(leg.callControlId, leg);
    after(leg, INITIATED_AFTER_MS, () => startRinging(leg));
    return leg;
  }

  /**
   * A person calls our number. call.initiated says direction incoming, state parked, client_state null, and
   * carries shaken_stir_* only with an attestation (Telnyx adds them only when the app enables SHAKEN/STIR).
   */
  function incoming(req: IncomingCallRequest): Leg {
    const persona: Persona = { ...(req.persona ?? opts.personaFor(req.from)), answer: 'human' };
    const leg = newIncomingLeg(
      { from: req.from, to: req.to, webhookUrl: req.webhookUrl, connectionId: req.connectionId ?? 'sim-call-control-app' },
      persona,
      labelFor(req.from, opts.names),
    );
    legs.set(leg.callControlId, leg);
    // Like the idle default, the default patience is a safety net, never under a few real seconds.
    const patienceMs =
      req.answerTimeoutMs !== undefined ? scaled(req.answerTimeoutMs) : Math.max(scaled(INCOMING_PATIENCE_MS), MIN_DEFAULT_IDLE_REAL_MS);
    after(leg, INITIATED_AFTER_MS, () => {
      emit(leg, 'call.initiated', null, {
        direction: 'incoming',
        caller_id_name: req.callerIdName ?? req.from,
        state: 'parked',
        start_time: telnyxTime(leg.initiatedAt),
        ...(req.attestation ? { shaken_stir_attestation: req.attestation, shaken_stir_validated: req.attestationValidated ?? true } : {}),
      });
      opts.print(`☎  incoming call from ${leg.label} (${maskNumber(leg.from)}) to ${maskNumber(leg.to)}`);
      afterReal(leg, patienceMs, () => {
        if (leg.state !== 'ringing') return;
        opts.print(`📵 ${leg.label} gave up: nobody answered (originator_cancel)`);
        endLeg(leg, { cause: 'originator_cancel', source: 'caller', sip: '487' });
      });
    });
    return leg;
  }

  /** answer on an incoming leg: its client_state and webhook_url apply from call.answered on. */
  function answerIncoming(leg: Leg, body: Record<string, any>) {
    if (typeof body['client_state'] === 'string') leg.clientState = body['client_state'];
    if (typeof body['webhook_url'] === 'string' && body['webhook_url'] !== '') leg.webhookUrl = body['webhook_url'];
    answer(leg, 'human');
  }

  /** reject: Telnyx's mapping of cause to hangup_cause is unconfirmed; USER_BUSY → user_busy mirrors a busy callee. */
  function rejectIncoming(leg: Leg, body: Record<string, any>) {
    const busy = body['cause'] === 'USER_BUSY';
    const cause = busy ? 'user_busy' : 'call_rejected';
    opts.print(`📵 rejected the call from ${leg.label} (${cause})`);
    endLeg(leg, { cause, source: 'callee', sip: busy ? '486' : '603', clientState: body['client_state'] ?? leg.clientState });
  }

  function startRinging(leg: Leg) {
    emit(leg, 'call.initiated', leg.clientState, { direction: 'outgoing', state: 'bridging' });
    opts.print(`☎  ringing ${leg.label} (${maskNumber(leg.to)})`);
    for (const other of legs.values()) {
      if (other !== leg && alive(other) && other.persona.hangupDuringRingOfOtherLeg) {
        after(other, OTHER_LEG_PATIENCE_MS, () => {
          if (leg.state === 'ringing') personaHangup(other);
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
    const quickHangup = leg.persona.hangupAfterAnswerMs;
    if (quickHangup !== undefined) {
      if (opts.modes().hangupOvertakesAnswer && quickHangup <= OVERTAKE_WINDOW_MS) leg.heldEvents = [];
      after(leg, quickHangup, () => personaHangup(leg));
    }
    emit(leg, 'call.answered', leg.clientState, { start_time: telnyxTime(leg.answeredAt), state: 'answered' });
    if (leg.direction === 'incoming') opts.print(`✅ answered the call from ${leg.label}`);
    else opts.print(by === 'human' ? `✅ ${leg.label} answered` : `📼 ${leg.label}'s voicemail picked up`);
    scheduleAmd(leg, by);
    const linked = leg.linkTo ? legs.get(leg.linkTo) : undefined;
    if (leg.bridgeOnAnswer && alive(linked) && linked.state === 'answered') bridge(linked, leg, {});
    armIdle(leg);
  }

  /** Standard AMD names its verdict call.machine.*; premium uses call.machine.premium.* (docs/vendor-facts.md#amd-and-hangups). */
  function scheduleAmd(leg: Leg, by: 'human' | 'machine') {
    const mode = leg.amd;
    if (!mode || mode === 'disabled') return;
    const premium = mode === 'premium';
    const prefix = premium ? 'call.machine.premium' : 'call.machine';
    after(leg, by === 'human' ? AMD_HUMAN_MS : AMD_MACHINE_MS, () => {
      const result = by === 'human' ? (premium ? 'human_residence' : 'human') : 'machine';
      emit(leg, `${prefix}.detection.ended`, leg.clientState, { result });
      opts.print(`🤖 AMD on ${leg.label}: ${result}`);
      if (result === 'machine') media.cancelForAmd(leg);
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
    a.talkTimer = after(a, talkMs, () => personaHangup(a));
  }

  /**
   * Our hang-up. On an incoming leg we are the callee; hanging up one still parked is answered like any
   * other (normal_clearing: Telnyx's cause for it is unconfirmed, reject is the documented way to decline).
   */
  function hangup(leg: Leg, body: Record<string, any>) {
    const incomingLeg = leg.direction === 'incoming';
    const cause = leg.state === 'ringing' && !incomingLeg ? 'originator_cancel' : 'normal_clearing';
    opts.print(`📴 hung up on ${leg.label} (${cause})`);
    endLeg(leg, {
      cause,
      source: incomingLeg ? 'callee' : 'caller',
      sip: cause === 'originator_cancel' ? '487' : 'unspecified',
      clientState: body['client_state'] ?? leg.clientState,
    });
  }

  function updateClientState(leg: Leg, body: Record<string, any>) {
    leg.clientState = body['client_state'] ?? null;
  }

  function personaHangup(leg: Leg) {
    if (!alive(leg)) return;
    opts.print(`📴 ${leg.label} hung up (normal_clearing)`);
    endLeg(leg, { cause: 'normal_clearing', source: leg.direction === 'incoming' ? 'caller' : 'callee', sip: 'unspecified' });
  }

  function endLeg(leg: Leg, h: { cause: string; source: string; sip: string; clientState?: string | null }) {
    if (!alive(leg)) return;
    media.endAll(leg);
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
    const held = leg.heldEvents;
    leg.heldEvents = null;
    for (const data of held ?? []) opts.emit(leg, data);
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
    // The default is a safety net against stuck calls, not a timing test: never shorter than a few real
    // seconds, so a slow app under load is not hung up on. An explicit persona value is scaled as is.
    const explicit = leg.persona.hangupAfterIdleMs;
    const idleMs = explicit !== undefined ? scaled(explicit) : Math.max(scaled(DEFAULT_IDLE_HANGUP_MS), MIN_DEFAULT_IDLE_REAL_MS);
    leg.idleTimer = afterReal(leg, idleMs, () => {
      leg.idleTimer = null;
      const busy = leg.gather !== null || media.audioBusy(leg) || [...legs.values()].some((o) => o !== leg && o.state === 'ringing');
      if (busy) armIdle(leg);
      else personaHangup(leg);
    });
  }

  return {
    dial,
    incoming,
    answerIncoming,
    rejectIncoming,
    find: (id: string) => legs.get(id),
    alive,
    ...media,
    bridge,
    hangup,
    updateClientState,
    /** Any command counts as the app still attending to the call. */
    touch: (leg: Leg) => armIdle(leg),
    aliveCount: () => [...legs.values()].filter((l) => l.state !== 'ended').length,
    totalCount: () => legs.size,
    modes: opts.modes,
    timeline: () => [...timeline],
    personaActions: () => [...actions],
    calls: (): SimCall[] => [...legs.values()].map((l) => snapshotOf(l, opts.names)),
    close(): void {
      for (const leg of legs.values()) {
        for (const t of leg.timers) clearTimeout(t);
        leg.timers.clear();
        clearIdle(leg);
      }
    },
  };
}
