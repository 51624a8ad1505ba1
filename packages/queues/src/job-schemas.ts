import { z } from 'zod';

/** One schema per queue payload: producers and workers both parse through these. Payloads carry ids, not records,
 * except a CRM change: Merge's webhook carries the whole record, and keeping it saves a Merge request per change. */
export const crmEventJob = z.object({
  source: z.enum(['webhook', 'poll', 'manual']),
  opportunityId: z.string().min(1),
  /** The Merge linked account the change came from (a webhook's `linked_account.id`): selects the token to fetch with. */
  linkedAccountId: z.string().min(1).max(200).optional(),
  event: z.enum(['added', 'changed', 'removed']),
  modifiedAt: z.string().nullable(),
  receivedAt: z.string(),
  /** The webhook's `data` as received; triage checks it with the opportunity schema and fetches when it cannot read it. */
  record: z.record(z.string(), z.unknown()).optional(),
  /** Set for manual alerts: triage creates the alert whatever the rules say. */
  manualAlertId: z.string().optional(),
});

export const briefingJob = z.object({ alertId: z.string().min(1) });

export const dialJob = z.object({
  alertId: z.string().min(1),
  /** Which try of the whole ladder (VP attempts, then escalation numbers) this is. */
  attempt: z.number().int().min(0).default(0),
  /** A snoozed alert starts a new round of attempts later. */
  round: z.number().int().min(0).default(0),
  /** Other alerts that waited for the line: one digest call covers them all, largest first. */
  group: z.array(z.string().min(1)).max(5000).default([]),
});

export const callEventJob = z.object({
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  occurredAt: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  receivedAt: z.string(),
});

/** The watchdog of one call: armed at a tick of the call's machine, it fires only if nothing happened since. */
export const callWatchdogJob = z.object({ callId: z.string().min(1), tick: z.number().int().min(0) });

/** What follows an alert's outcome (a note on the deal, texts to whoever was not reached): one job per outcome. */
export const followUpJob = z.object({ alertId: z.string().min(1), outcome: z.string().min(1) });

export const pollJob = z.object({ reason: z.enum(['schedule', 'sync_completed']) });

export type CrmEventJob = z.infer<typeof crmEventJob>;
export type BriefingJob = z.infer<typeof briefingJob>;
export type DialJob = z.infer<typeof dialJob>;
export type CallEventJob = z.infer<typeof callEventJob>;
export type PollJob = z.infer<typeof pollJob>;
export type FollowUpJob = z.infer<typeof followUpJob>;
export type CallWatchdogJob = z.infer<typeof callWatchdogJob>;
