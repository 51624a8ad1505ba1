import { z } from 'zod';
import { createHash } from 'node:crypto';
import { triageFieldsOf } from './merge-models.ts';

/** The envelope of every Merge webhook delivery (docs/vendor-facts.md#merge-webhooks). */
export const mergeWebhookSchema = z.object({
  hook: z.object({
    id: z.string().min(1).max(200),
    event: z.string().min(1).max(200),
    target: z.string().max(2000).optional(),
  }),
  linked_account: z
    .object({
      id: z.string().min(1).max(200),
      integration: z.string().max(200).nullish(),
      integration_slug: z.string().max(200).nullish(),
      category: z.string().max(50).nullish(),
    })
    .loose(),
  // Checked as "an object", not copied key by key: `data` is a whole CRM record and only a few of its fields
  // are read (opportunityRefSchema); a record schema rebuilt it on every delivery.
  data: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object').nullable(),
});
export type MergeWebhook = z.infer<typeof mergeWebhookSchema>;

/** Opportunity data carried by Opportunity.* events: only what triage needs to know which deal. */
export const opportunityRefSchema = z.object({ id: z.string().min(1).max(200), modified_at: z.string().max(100).nullish() });

export type WebhookIntent =
  | {
      kind: 'opportunity';
      event: 'added' | 'changed' | 'removed';
      opportunityId: string;
      modifiedAt: string | null;
      /** The common model's fields triage reads (triageFieldsOf); triage parses them with opportunitySchema. */
      record: Record<string, unknown>;
    }
  | { kind: 'sync_completed'; opportunitiesDone: boolean }
  | { kind: 'ignored'; event: string };

/** Which of Merge's events mean work for us; anything else is accepted and ignored. */
export function classifyMergeWebhook(hook: MergeWebhook): WebhookIntent | { kind: 'invalid'; reason: string } {
  const event = hook.hook.event.toLowerCase();
  const m = /^opportunity\.(added|changed|removed)$/.exec(event);
  if (m) {
    const ref = opportunityRefSchema.safeParse(hook.data);
    if (!ref.success) return { kind: 'invalid', reason: 'Opportunity event without data.id' };
    return {
      kind: 'opportunity',
      event: m[1] as 'added' | 'changed' | 'removed',
      opportunityId: ref.data.id,
      modifiedAt: ref.data.modified_at ?? null,
      record: triageFieldsOf(hook.data as Record<string, unknown>),
    };
  }
  if (event === 'linkedaccount.sync_completed') {
    const status = (hook.data?.['sync_status'] as Record<string, { last_sync_result?: string }> | undefined)?.['crm.Opportunity'];
    // Merge says to read data after PARTIALLY_SYNCED as after DONE: part of the records did change.
    return {
      kind: 'sync_completed',
      opportunitiesDone: status?.last_sync_result === 'DONE' || status?.last_sync_result === 'PARTIALLY_SYNCED',
    };
  }
  return { kind: 'ignored', event: hook.hook.event };
}

/**
 * One job per CRM change: Merge may send several webhooks for one event (one per webhook config, each with its
 * own bytes), so an opportunity event is keyed by (linked account, event, deal, modified_at) — docs/vendor-facts.md#merge-webhooks —
 * and anything else by its exact bytes. BullMQ ids may not contain ':'.
 */
export function deliveryJobId(
  rawBody: Buffer,
  change?: { linkedAccountId: string; event: string; opportunityId: string; modifiedAt: string | null },
): string {
  const key = change?.modifiedAt ? `${change.linkedAccountId}|${change.event}|${change.opportunityId}|${change.modifiedAt}` : rawBody;
  return `merge-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}
