import type { TelnyxModes } from '../telnyx-sim/sim-types.ts';

export type LiveCheckOptions = {
  apiKey: string;
  /** Telnyx API base; the simulator's url in tests. */
  baseURL: string;
  connectionId: string;
  /** Caller id (E.164), a number of the account. */
  from: string;
  /** The tester's own phone (E.164). */
  to: string;
  /** base64 Ed25519 key that verifies the webhooks (the portal's public key). */
  publicKey: string;
  /** What Telnyx posts this call's webhooks to (a tunnel to host:port); defaults to the receiver's own url. */
  webhookUrl?: string;
  host?: string;
  port?: number;
  voice?: string;
  /** Multiplies the check's own waits (not Telnyx's): 1 live, smaller against a scaled simulator. */
  timeScale?: number;
  log?: (line: string) => void;
};

/** A webhook as the check saw it, decoded enough to read without base64. */
export type SeenEvent = {
  eventType: string;
  occurredAt: string;
  receivedAt: number;
  contentType: string | null;
  clientState: string | null;
  status?: string;
  digit?: string;
  digits?: string;
  transcript?: string;
};

/** The answer to one probing command: status 200, or the error status and Telnyx error body. */
export type CommandAnswer = { status: number; body?: unknown; message?: string };

/** The simulator mode fields the live check can observe on a real call. */
export type ProbedModes = Required<
  Pick<TelnyxModes, 'clientStateEcho' | 'dtmfOutsideGather' | 'strictStops' | 'duplicateDialAnswer' | 'webhookContentType'>
>;

export type LiveCheckReport = {
  startedAt: string;
  finishedAt: string;
  baseURL: string;
  /** Masked: the report may be shared. */
  to: string;
  callControlId: string | null;
  /** Which step the call reached; 'done' when the script ran to its end. */
  reached: string;
  observations: {
    /** client_state of the first (by occurred_at) speak.ended after two back-to-back speaks 'first', 'second'. */
    firstSpeakEndedClientState: string | null;
    /** Transcripts that arrived while the "say connect me" gather ran (gather + transcription together). */
    transcriptsDuringGather: string[];
    sayGatherStatus: string | null;
    /** Digits that arrived as call.dtmf.received during / just after the plain "press 1" speak. */
    digitsOutsideGather: string[];
    silentGatherStatus: string | null;
    gatherStopWithNothingRunning: CommandAnswer | null;
    transcriptionStopWithNothingRunning: CommandAnswer | null;
    /** 'with_ids' | 'without_ids' | 'new_call' (not ignored: a second call, hung up at once) | 'error'. */
    duplicateDial: { outcome: 'with_ids' | 'without_ids' | 'new_call' | 'error'; detail?: CommandAnswer } | null;
    webhookContentTypes: string[];
    speakEndedStatuses: string[];
    gatherEndedStatuses: string[];
    hangupCause: string | null;
  };
  /** A step's command that failed (status and body), so a reader sees what Telnyx refused. */
  commandErrors: Array<{ step: string; answer: CommandAnswer }>;
  events: SeenEvent[];
  /** Only the fields observed; absent = not settled by this call. */
  detected: Partial<ProbedModes>;
  /** TELNYX_MODE_MATRIX names whose fields all agree with what was detected. */
  matchingModes: string[];
};
