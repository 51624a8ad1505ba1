import type { CallAction, CallContext } from '@dda/domain';

/** One dial of one person for one alert, both legs included; the call's source of truth in Redis. */
export type CallRecord = {
  id: string;
  /** `callback`: the recipient rang our number (call-back.ts); absent on alert calls placed before it existed. */
  kind?: 'alert' | 'callback';
  alertId: string;
  /**
   * Every alert this call is about, largest first (a call back: newest first); more than one makes it a
   * digest call. [0] is alertId; a call back with nothing open has none and an empty alertId.
   */
  group: string[];
  round: number;
  attempt: number;
  /**
   * Who this dial rings: the first recipient of the alert's route is the primary ('vp'), later ones escalations.
   * `recipient` and `name` come from the routing (absent on calls placed before routing documents).
   */
  callee: { role: 'vp' | 'escalation'; number: string; recipient?: string; name?: string };
  ae: { name: string | null; number: string | null };
  /**
   * Per alert of `group`, the AE its own dial plan found (null: none): a digest or a call back transfers each
   * alert to its own deal's AE. Absent on records made before it existed (then the rep directory serves).
   */
  aes?: Array<{ name: string; phone: string } | null>;
  ccid: { vp: string | null; ae: string | null };
  ctx: CallContext;
  /** Actions decided but not yet carried out; a crash leaves them here for the next run. */
  outbox: CallAction[];
  /** How many other alerts were waiting for the line when this call started. */
  waiting: number;
  /** When our ingress received the VP's call.answered, and how long until the first words left (dead air). */
  vpAnsweredAt?: string;
  deadAirMs?: number;
  /**
   * Per leg, when (epoch ms) the prompts sent so far should have finished playing and been answered, by our
   * own estimate: the watchdog waits this long plus CALL_STALL_SECONDS before it calls the leg stalled.
   */
  audioUntil?: { vp: number; ae: number };
  /** When Telnyx confirmed the bridge: the talk time is counted from here. */
  bridgedAt?: string;
  createdAt: string;
  version: number;
};

export function callIdFor(alertId: string, round: number, attempt: number): string {
  return `call-${alertId}-r${round}a${attempt}`;
}
