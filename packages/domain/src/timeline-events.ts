/*
 * Every event an alert's timeline can hold, with the shape of its detail: the one vocabulary shared by the
 * writers (store, triage, dialer, call machine, briefing writer) and the history page, which has a rendering
 * for each (services/ingress/test checks it). Adding an event: a line here, a `case` in
 * services/ingress/public/history.js.
 */

type Call = { call_id: string };
type Leg = 'vp' | 'ae';

export type TimelineDetails = {
  'alert.created': { reason?: string | undefined; source?: string | undefined };
  'briefing.written': { model: string | null; latency_ms: number | null; fallback: boolean; fallback_reason?: string | null };
  waiting: { reason: string };
  deferred: { reason: string; until: string; time_zone: string };
  /** Which route of the routing (version 0 = the environment's) an alert follows, and its call order. */
  'route.matched': { route: string | null; version: number; call: { id: string; name: string }[] };
  'call.dialing': Call & { callee: string; attempt: number; round: number; digest_of?: number; recipient?: string; name?: string };
  'vp.ringing': Call;
  'ae.ringing': Call;
  'vp.answered': Call;
  'vp.voicemail': Call;
  'vp.voicemail_message': Call & { left: boolean; status: string };
  said: Call & { to: Leg; prompt: string; text: string; call_ended?: true };
  'vp.said': Call & { text: string };
  'ae.said': Call & { text: string };
  'vp.intent': Call & { intent: string; via: 'speech' | 'keys' };
  'vp.question': Call & { question: string };
  'vp.silence': Call;
  'digest.next': Call & { focus: number };
  'ae.dialing': Call & { ae: string | null };
  'ae.answered': Call;
  'ae.human': Call;
  'ae.accepted': Call & { via: 'speech' | 'keys' };
  'ae.unavailable': Call & { reason: string };
  bridged: Call;
  'talk.ended': { talk_seconds: number };
  'call.stalled': Call & { next: 'prompted again' | 'closed' };
  'call.failed': Call & { reason: string; while?: string };
  snoozed: Call & { minutes: number };
  'call.ended': Call & { callee: string; attempt: number; result: string; reason?: string; recipient?: string; name?: string };
  'retry.scheduled': { attempt: number; callee: string; in_seconds: number; recipient?: string; name?: string };
  'alert.outcome': { outcome: string; reason?: string };
  /** The note on the deal in the CRM (CRM write-back): written, or why not. */
  'note.written': { outcome: string; note_id: string | null; found_after_unknown?: true };
  'note.skipped': { outcome: string; reason: string };
  'note.failed': { outcome: string; reason: string; problem?: string; outcome_unknown?: true };
  /** A text to a recipient the calls did not reach (SMS follow-up), and what the carrier said of it. */
  'sms.sent': { recipient: string; name?: string; status: string; parts?: number | null };
  'sms.failed': { recipient: string; name?: string; reason: string; outcome_unknown?: true };
  'sms.delivery': { recipient: string; name?: string; status: string; error?: string };
  /** The recipient called our number back and heard this alert (its position among their open alerts). */
  'callback.heard': Call & { recipient: string; name?: string; position: number; of: number };
};

export type TimelineEventName = keyof TimelineDetails;

/** One line per event: what it means. Its keys are the runtime list of the catalogue. */
export const TIMELINE_EVENTS: Record<TimelineEventName, string> = {
  'alert.created': 'the alert was created (by triage, the poll or by hand)',
  'briefing.written': "the briefing is ready (the AI's or the template)",
  waiting: 'another alert call holds the line; this one waits',
  deferred: 'quiet hours: the call waits for the morning',
  'route.matched': 'the routing decided who is called, in what order',
  'call.dialing': 'a dial of the ladder was placed',
  'vp.ringing': "the VP's phone rings",
  'ae.ringing': "the AE's phone rings",
  'vp.answered': 'the VP picked up',
  'vp.voicemail': "the VP's voicemail answered",
  'vp.voicemail_message': 'the voicemail message played to its end, or was cut',
  said: 'a prompt was spoken to a leg',
  'vp.said': 'what the VP said (transcript)',
  'ae.said': 'what the AE said (transcript)',
  'vp.intent': 'the VP chose an option',
  'vp.question': 'the VP asked a question about the deal',
  'vp.silence': 'the VP said nothing; the briefing is offered again',
  'digest.next': 'the VP moved to the next alert of a digest call',
  'ae.dialing': 'the AE is being rung for the warm transfer',
  'ae.answered': 'the AE picked up',
  'ae.human': 'a person, not a machine, is on the AE leg',
  'ae.accepted': 'the AE accepted the transfer',
  'ae.unavailable': 'the AE could not be reached or declined',
  bridged: 'the VP and the AE are connected',
  'talk.ended': 'the connected call ended; how long they talked',
  'call.stalled': 'the watchdog found the line quiet',
  'call.failed': 'our side could not go on with the call',
  snoozed: 'the VP asked to be reminded later',
  'call.ended': 'one dial ended, with its result',
  'retry.scheduled': 'the next rung of the ladder is scheduled',
  'alert.outcome': 'the alert reached its outcome',
  'note.written': 'the outcome was written as a note on the deal in the CRM',
  'note.skipped': 'no note was written on the deal, and why (write-back off, the account cannot write notes)',
  'note.failed': 'the CRM refused the note, or its fate is unknown; not retried further',
  'sms.sent': 'a text went to a recipient the calls did not reach',
  'sms.failed': 'a text could not be sent (or may not have been), and why',
  'sms.delivery': "the carrier's word on a text: delivered, or not",
  'callback.heard': 'the recipient called back and heard this alert',
};

/** What the call machine notes on the timeline: the call id is added by the executor. */
export type TimelineNote = {
  [E in TimelineEventName]: TimelineDetails[E] extends Call
    ? { event: E } & (object extends Omit<TimelineDetails[E], 'call_id'>
        ? { detail?: Omit<TimelineDetails[E], 'call_id'> }
        : { detail: Omit<TimelineDetails[E], 'call_id'> })
    : never;
}[TimelineEventName];
