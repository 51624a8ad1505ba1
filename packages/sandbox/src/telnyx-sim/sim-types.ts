import type { KeyObject } from 'node:crypto';

/**
 * One reaction of the simulated person, REACTION_MS after the prompt that consumes it starts playing.
 * `during: 'gather'` (default) waits for the next gather_using_speak prompt; plain speaks pass it by.
 * `during: 'any'` is consumed by the next prompt of either kind, so a key press or a phrase can land while a
 * plain speak plays (what dtmfOutsideGather and the live check's script are about).
 */
export type PersonaResponse = ({ say: string } | { press: string } | { silence: true } | { hangup: true }) & {
  during?: 'gather' | 'any';
};

export type Persona = {
  answer: 'human' | 'machine' | 'no_answer' | 'busy' | 'reject';
  /** How long the phone rings before the answer / busy / reject. A ring longer than the dial's timeout_secs times out. */
  ringMs?: number;
  /** When exhausted: silence. */
  responses?: PersonaResponse[];
  /** After a bridge, how long the conversation lasts before this (bridging) leg hangs up. */
  talkMs?: number;
  /** Hangs up ~0.8 s after another leg is dialled while this call is up (the VP giving up on the transfer). */
  hangupDuringRingOfOtherLeg?: boolean;
  /**
   * An answered leg with no prompt, gather, command or bridge for this long hangs up by itself (while
   * another leg rings it keeps waiting). Default 60 s scaled, but never under 3 real seconds.
   */
  hangupAfterIdleMs?: number;
  /** Picks up and hangs up this long after answering (scaled); with hangupOvertakesAnswer ≤ 1 s reorders. */
  hangupAfterAnswerMs?: number;
};

export type Faults = {
  /** Status of the failing commands; default 503. Without commandFailCount every command fails. */
  commandStatus?: 429 | 500 | 503;
  /** The next N commands (dial or action) fail with commandStatus and are not carried out. */
  commandFailCount?: number;
  /** Real milliseconds (not scaled) added before answering a command that WAS carried out. */
  commandLatencyMs?: number;
  /** Deliver every webhook N times (same data.id, meta.attempt 1..N). */
  duplicateWebhooks?: number;
  /** Collect the events of a short burst per call session and deliver them shuffled and concurrently. */
  reorderWebhooks?: boolean;
  /** Real milliseconds (not scaled) between an event happening and its delivery. */
  webhookDelayMs?: number;
  /**
   * The next `count` commands named `action` ARE carried out but answered 503, as if the answer was lost on
   * the way back: the SDK (or the app) resends with the same command_id and meets the duplicate rules.
   */
  loseAnswers?: { action: string; count: number };
};

/**
 * How the simulated Telnyx behaves where Telnyx's own sources leave a choice open (docs/vendor-facts.md). Every
 * field defaults to the simulator's earlier behaviour; TELNYX_MODE_MATRIX names the combinations tests run.
 */
export type TelnyxModes = {
  /**
   * 'command' (default): each command's events carry that command's client_state. 'leg': the leg keeps one
   * client_state, replaced by every command that carries one (and by client_state_update), and every webhook
   * of that leg emitted afterwards carries the latest, so an earlier prompt's speak.ended can carry a later
   * command's client_state. Telnyx documents it as "added to every subsequent webhook": unconfirmed.
   */
  clientStateEcho?: 'command' | 'leg';
  /**
   * An AMD 'machine' verdict cancels the prompts playing at that moment (speak.ended / gather.ended with
   * status 'cancelled_amd'). Default true: the status is documented; false keeps playing them.
   */
  amdCancelsPrompts?: boolean;
  /**
   * Default true: keys pressed while no gather runs still arrive as call.dtmf.received. false: keys reach the
   * app only while a gather runs; a key pressed during a plain speak is lost (the SDK lists
   * call.dtmf.received under gather commands only: unconfirmed either way).
   */
  dtmfOutsideGather?: boolean;
  /**
   * gather_stop / transcription_stop with nothing running answer 422 instead of 200 (the real reply is
   * unconfirmed). Default false.
   */
  strictStops?: boolean;
  /**
   * The answer to a dial whose command_id repeats one carried out within 60 s (it is never dialled twice):
   * 'with_ids' (default) repeats the original call's ids; 'without_ids' answers {result:'ok'} with no
   * call_control_id (Telnyx says it "will ignore" the duplicate; the answer's shape is undocumented).
   */
  duplicateDialAnswer?: 'with_ids' | 'without_ids';
  /** Content-Type of every webhook POST; default 'application/json'. A proxy or Telnyx may add a charset. */
  webhookContentType?: string;
  /**
   * A leg answered and hung up within ~1 s (persona hangupAfterAnswerMs ≤ 1000) delivers its call.hangup
   * before its call.answered (and AMD events): Telnyx confirms webhook order is not guaranteed.
   */
  hangupOvertakesAnswer?: boolean;
  /**
   * The next `count` webhooks of `eventType` (only on legs dialled to `to` when given) are never delivered;
   * webhooksSent records them with delivered:false, dropped:true. Models a webhook lost for good.
   */
  dropWebhooks?: { eventType: string; count: number; to?: string }[];
  /**
   * The named command (dial, speak, gather_using_speak, gather_stop, transcription_start, bridge, hangup, …)
   * is refused and NOT carried out: HTTP `status` (default 422) with a Telnyx error body of `code` (default
   * '10015'). `after` lets the first N of that action through; `count` (default 1) refusals follow.
   * Recorded in rejectedCommands.
   */
  failCommands?: { action: string; count?: number; after?: number; code?: string; status?: number }[];
  /**
   * What happens to a POST /v2/messages (TELNYX_MESSAGE_MODES). 'delivered' (default): 200, then message.sent
   * and message.finalized (delivered). 'delivery_failed': 200, then message.sent and message.finalized with
   * status delivery_failed and errors [40002]. 'opted_out': 403 / 40300 and nothing is sent. The next two are
   * the duplicate risk: the text IS sent (recorded, webhooks delivered) but the sender learns nothing —
   * 'server_error_after_accept' answers 500, 'timeout_after_accept' never answers before the client gives up.
   */
  messages?: TelnyxMessageMode;
};

export type TelnyxMessageMode = 'delivered' | 'delivery_failed' | 'opted_out' | 'server_error_after_accept' | 'timeout_after_accept';

/** One text the simulator accepted (an opted-out refusal is not one: it lands in rejectedCommands). */
export type SimMessage = {
  id: string;
  from: string;
  to: string;
  text: string;
  messagingProfileId: string;
  webhookUrl: string | null;
  encoding: 'GSM-7' | 'UCS-2';
  parts: number;
  /** The recipient's status as it moves: queued → sent → delivered | delivery_failed. */
  status: 'queued' | 'sent' | 'delivered' | 'delivery_failed';
  /** The mode it was sent under. */
  mode: TelnyxMessageMode;
  /** What the sender got back: 200, 500, or 'none' (timeout_after_accept). */
  answered: 200 | 500 | 'none';
  /** Date.now() when the request arrived. */
  at: number;
};

/** A person calling our Telnyx number (sim.incomingCall, POST /v2/_sim/incoming-call). */
export type IncomingCallRequest = {
  /** The caller (E.164); their persona is looked up by this number unless `persona` is given. */
  from: string;
  /** Our Telnyx number (E.164). */
  to: string;
  /** Where this call's webhooks go (a Call Control App's webhook_event_url); answer's webhook_url replaces it. */
  webhookUrl: string;
  /**
   * SHAKEN/STIR attestation of the caller id. Present only when the app has inbound.shaken_stir_enabled;
   * absent or null: the call.initiated payload carries no shaken_stir_* fields at all.
   */
  attestation?: 'A' | 'B' | 'C' | null;
  /** shaken_stir_validated alongside an attestation; default true. false: the signature did not check out. */
  attestationValidated?: boolean;
  /** What the caller does once answered (its `answer` is ignored: the caller is the one calling). */
  persona?: Persona | Omit<Persona, 'answer'>;
  /** caller_id_name in call.initiated; default the caller's number, as carriers without CNAM send. */
  callerIdName?: string;
  /** Default 'sim-call-control-app'. */
  connectionId?: string;
  /** The caller hangs up (originator_cancel) when nobody answers or rejects within this; default 30 s, scaled. */
  answerTimeoutMs?: number;
};

export type IncomingCall = { callControlId: string; callLegId: string; callSessionId: string };

/** One prompt on a leg's audio queue, as a test reads the timeline (Date.now() milliseconds). */
export type AudioEntry = {
  callControlId: string;
  /** The leg's label (names[] or masked number). */
  label: string;
  kind: 'speak' | 'gather';
  /** The words heard (SSML stripped). */
  text: string;
  queuedAt: number;
  /** Absent when it never played (cut while queued, or the call ended first). */
  startedAt?: number;
  endedAt?: number;
  /**
   * A speak: 'completed' (played to its end), 'cut' (by a later speak's stop; its webhook still says
   * 'completed'), 'cancelled_amd', 'call_hangup' (also when still queued at hang-up). A gather's prompt carries
   * its gather's call.gather.ended status: 'valid' | 'invalid' | 'timeout' | 'cancelled' (gather_stop, a new
   * gather, a speak's stop) | 'cancelled_amd' | 'call_hangup'; endedAt is when its audio stopped.
   */
  status?: 'completed' | 'cut' | 'call_hangup' | 'cancelled_amd' | 'cancelled' | 'timeout' | 'valid' | 'invalid';
};

/** What the simulated person did and when, to line up with the audio timeline. */
export type PersonaAction = { callControlId: string; label: string; at: number; kind: 'say' | 'press'; text: string };

export type SimulatorOptions = {
  apiKey: string;
  /** From generateWebhookKeyPair(); the receiver verifies with the matching publicKey. */
  privateKey: KeyObject | string;
  port?: number;
  host?: string;
  /** Keyed by the E.164 number dialled. */
  personas: Record<string, Persona>;
  defaultPersona?: Persona;
  /** Multiplies every simulated call delay (ring, speech, AMD, gather timeouts, talk), e.g. 0.05 in tests. */
  timeScale?: number;
  /** Human-readable conversation lines; phone numbers are always masked. */
  print?: (line: string) => void;
  /** number → label for print lines ('VP', 'AE Dana'); otherwise the masked number. */
  names?: Record<string, string>;
  /** Real ms between redeliveries of a webhook the receiver did not accept; default [200, 600, 1800]. */
  webhookRetryDelaysMs?: number[];
  /** Initial modes; setModes replaces them. */
  modes?: TelnyxModes;
};

export type SimCommand = {
  at: number;
  action: string;
  callControlId: string | null;
  to?: string;
  body: any;
  commandId?: string;
  /** Same command_id within 60 s: answered 200 again but not carried out. */
  duplicate: boolean;
};

/** Commands answered with an error (fault injection, 422s): the caller's view of what went wrong. */
export type RejectedCommand = {
  at: number;
  action: string;
  callControlId: string | null;
  status: number;
  code: string;
  commandId?: string;
};

export type SentWebhook = {
  event_type: string;
  id: string;
  /** '' for a message.* webhook (see messageId). */
  callControlId: string;
  /** The message a message.* webhook is about. */
  messageId?: string;
  occurredAt: string;
  /** HTTP attempts made so far, copies from duplicateWebhooks included. */
  attempts: number;
  delivered: boolean;
  /** Date.now() when the first accepted delivery's POST left the simulator (the receiver has it from here on). */
  sentAt?: number;
  /** Date.now() when the receiver's 2xx for that delivery came back. */
  deliveredAt?: number;
  /** Never sent, by the dropWebhooks mode. */
  dropped?: true;
};

export type LegState = 'ringing' | 'answered' | 'bridged' | 'ended';

export type SimCall = {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  direction: 'outgoing' | 'incoming';
  from: string;
  to: string;
  /** names[] of the other party: the dialled number, or the caller of an incoming call. */
  role?: string;
  state: LegState;
  answeredBy?: 'human' | 'machine';
  hangupCause?: string;
};

export type TelnyxSimulator = {
  /** Pass as the SDK's baseURL (ends in /v2 like https://api.telnyx.com/v2). */
  url: string;
  close(): Promise<void>;
  commands: SimCommand[];
  rejectedCommands: RejectedCommand[];
  webhooksSent: SentWebhook[];
  setFaults(f: Faults): void;
  /** Replaces the modes (and restarts dropWebhooks / failCommands counting). */
  setModes(m: TelnyxModes): void;
  /** Every prompt queued so far, in queue order per leg. */
  audioTimeline(): AudioEntry[];
  /** Every persona say / press so far. */
  personaActions(): PersonaAction[];
  setPersona(number: string, persona: Persona): void;
  /**
   * Resolves once no call is alive and no webhook is waiting or in flight. Resolves at once if nothing was
   * dialled yet: pass minCalls to wait for the app to dial first. Rejects after timeoutMs (default 30 s)
   * with the calls still alive, so a stuck test says why.
   */
  whenIdle(opts?: { minCalls?: number; timeoutMs?: number }): Promise<void>;
  calls(): SimCall[];
  /** Every text accepted so far, in arrival order (also GET /v2/_sim/messages). */
  messages(): SimMessage[];
  /**
   * A person calls our number: call.initiated (direction incoming, state parked) goes to webhookUrl. Answer it
   * (call.answered, then it is a leg like a dialled one) or reject it; unanswered, the caller gives up.
   */
  incomingCall(req: IncomingCallRequest): IncomingCall;
};
