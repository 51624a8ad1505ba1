import type { KeyObject } from 'node:crypto';

/** One reaction of the simulated person, consumed one per gather_using_speak prompt on that leg. */
export type PersonaResponse = { say: string } | { press: string } | { silence: true } | { hangup: true };

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
};

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
  callControlId: string;
  occurredAt: string;
  /** HTTP attempts made so far, copies from duplicateWebhooks included. */
  attempts: number;
  delivered: boolean;
  /** Date.now() when the first accepted delivery's POST left the simulator (the receiver has it from here on). */
  sentAt?: number;
  /** Date.now() when the receiver's 2xx for that delivery came back. */
  deliveredAt?: number;
};

export type LegState = 'ringing' | 'answered' | 'bridged' | 'ended';

export type SimCall = {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  to: string;
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
  setPersona(number: string, persona: Persona): void;
  /**
   * Resolves once no call is alive and no webhook is waiting or in flight. Resolves at once if nothing was
   * dialled yet: pass minCalls to wait for the app to dial first. Rejects after timeoutMs (default 30 s)
   * with the calls still alive, so a stuck test says why.
   */
  whenIdle(opts?: { minCalls?: number; timeoutMs?: number }): Promise<void>;
  calls(): SimCall[];
};
