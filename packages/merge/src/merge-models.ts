import { z } from 'zod';
import type { DealFacts } from '@dda/domain';

const base = {
  id: z.string(),
  remote_id: z.string().nullish(),
  created_at: z.string().nullish(),
  modified_at: z.string().nullish(),
  remote_was_deleted: z.boolean().nullish(),
};

export const userSchema = z
  .object({ ...base, name: z.string().nullish(), email: z.string().nullish(), is_active: z.boolean().nullish() })
  .loose();
export const stageSchema = z.object({ ...base, name: z.string().nullish() }).loose();
export const accountSchema = z.object({ ...base, name: z.string().nullish(), industry: z.string().nullish() }).loose();

export const opportunitySchema = z
  .object({
    ...base,
    name: z.string().nullish(),
    description: z.string().nullish(),
    // Merge documents an integer or null; a fraction is still a readable amount, so it is not a reason to drop the deal.
    amount: z.number().nullish(),
    currency: z.string().nullish(),
    owner: z.union([z.string(), userSchema]).nullish(),
    account: z.union([z.string(), accountSchema]).nullish(),
    stage: z.union([z.string(), stageSchema]).nullish(),
    // An open enum in Merge's SDK (OpportunityStatusEnum | string): a value we never heard of is still a deal.
    status: z.string().nullish(),
    last_activity_at: z.string().nullish(),
    close_date: z.string().nullish(),
  })
  .loose();
export type Opportunity = z.infer<typeof opportunitySchema>;

/**
 * The fields of a webhook's record that triage reads (the schema's own, less the free-text description). The
 * ingress keeps only these in the CRM inbox: Merge sends the whole record with its remote data, and writing
 * ~2 KB per change to Redis's AOF under appendfsync always was what the ingress's fsyncs waited on.
 */
const TRIAGE_FIELDS = Object.keys(opportunitySchema.shape).filter((k) => k !== 'description');
export function triageFieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of TRIAGE_FIELDS) if (record[k] !== undefined) out[k] = record[k];
  return out;
}

export const noteSchema = z
  .object({ ...base, content: z.string().nullish(), opportunity: z.string().nullish(), remote_created_at: z.string().nullish() })
  .loose();
export type Note = z.infer<typeof noteSchema>;

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ next: z.string().nullish(), previous: z.string().nullish(), results: z.array(item) });

export type StatusClass = 'OPEN' | 'WON' | 'LOST';

const CLOSED_STATUS = /(^|_)(closed|lost|cancell?ed|abandoned|dead|disqualified)(_|$)/;

/**
 * WON and LOST are Merge's closed values; other CRMs' closed-like names ("CLOSED_LOST", "Closed Won",
 * "CANCELLED") close the deal too, and anything else (PENDING, ON_HOLD, a new value) is an open deal.
 */
export function statusClass(raw: string | null | undefined): StatusClass | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const s = raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
  if (/(^|_)won(_|$)/.test(s)) return 'WON';
  if (CLOSED_STATUS.test(s)) return 'LOST';
  return 'OPEN';
}

/** Names of a deal's relations when Merge sent them as ids (webhook data, unexpanded lists). */
export type RelationNames = {
  owner?: { name: string | null; email: string | null } | null;
  account?: string | null;
  stage?: string | null;
};

/** The deal as the rest of the system sees it: relations resolved to names, no CRM ids leaking further. */
export type DealView = {
  id: string;
  name: string;
  amount: number | null;
  currency: string | null;
  stage: string | null;
  status: StatusClass | null;
  account: string | null;
  owner: { name: string | null; email: string | null } | null;
  closeDate: string | null;
  modifiedAt: string | null;
  deleted: boolean;
};

const named = <T extends { name?: string | null | undefined }>(v: string | T | null | undefined) =>
  v && typeof v === 'object' ? (v.name ?? null) : null;

export function toDealView(o: Opportunity, names: RelationNames = {}): DealView {
  const owner =
    o.owner && typeof o.owner === 'object' ? { name: o.owner.name ?? null, email: o.owner.email ?? null } : (names.owner ?? null);
  return {
    id: o.id,
    name: o.name ?? '(unnamed deal)',
    amount: o.amount ?? null,
    currency: o.currency ?? null,
    stage: named(o.stage) ?? names.stage ?? null,
    status: statusClass(o.status),
    account: named(o.account) ?? names.account ?? null,
    owner,
    closeDate: o.close_date ?? null,
    modifiedAt: o.modified_at ?? null,
    deleted: o.remote_was_deleted === true,
  };
}

export function toDealFacts(d: DealView): DealFacts {
  return { id: d.id, name: d.name, amount: d.amount, stage: d.stage, status: d.status, deleted: d.deleted };
}

/** A list page whose records are checked one by one: one record we cannot read must not cost the whole page. */
export const loosePageSchema = z.object({ next: z.string().nullish(), previous: z.string().nullish(), results: z.array(z.unknown()) });

/** The ids of an opportunity's relations, whether Merge sent ids or expanded objects. */
export function relationIds(o: Opportunity): { owner: string | null; account: string | null; stage: string | null } {
  const idOf = (v: unknown) =>
    typeof v === 'string'
      ? v
      : v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string'
        ? (v as { id: string }).id
        : null;
  return { owner: idOf(o.owner), account: idOf(o.account), stage: idOf(o.stage) };
}

/** `status` of a /meta answer: whether Merge will pass a request for this linked account on at all. */
export const linkedAccountStatusSchema = z
  .object({ linked_account_status: z.string().nullish(), can_make_request: z.boolean().nullish() })
  .loose();

/**
 * Merge's MetaResponse (`GET /crm/v1/<model>/meta/post`). `request_schema` is a JSON schema of the POST body,
 * whose `properties.model.properties` name the fields this linked account's integration accepts. The SDK
 * spells the flag `has_conditional_params`; unknown keys pass through.
 */
export const metaResponseSchema = z
  .object({
    request_schema: z.record(z.string(), z.unknown()),
    remote_field_classes: z.record(z.string(), z.unknown()).nullish(),
    status: linkedAccountStatusSchema.nullish(),
    has_conditional_params: z.boolean().nullish(),
    has_required_linked_account_params: z.boolean().nullish(),
  })
  .loose();
export type MetaResponse = z.infer<typeof metaResponseSchema>;

/** One entry of a write answer's `errors[]` or `warnings[]` (Merge's ErrorValidationProblem / WarningValidationProblem). */
export const validationProblemSchema = z
  .object({
    problem_type: z.string().nullish(),
    title: z.string().nullish(),
    detail: z.string().nullish(),
    source: z.object({ pointer: z.string().nullish() }).loose().nullish(),
  })
  .loose();
export type ValidationProblem = z.infer<typeof validationProblemSchema>;

/**
 * Merge's NoteResponse to `POST /crm/v1/notes`: 201 `{ model, warnings, errors, logs? }`. A non-empty
 * `errors` means nothing was written. Entries are kept unknown here and read one by one, so an entry of an
 * unexpected shape still counts as an error rather than making the whole answer unreadable.
 */
export const noteCreateResponseSchema = z
  .object({
    model: z.object({ id: z.string().nullish() }).loose().nullish(),
    warnings: z.array(z.unknown()).nullish(),
    errors: z.array(z.unknown()).nullish(),
    logs: z.array(z.unknown()).nullish(),
  })
  .loose();
export type NoteCreateResponse = z.infer<typeof noteCreateResponseSchema>;
