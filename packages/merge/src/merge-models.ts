import { z } from 'zod';
import type { DealFacts } from '@dda/domain';

const base = {
  id: z.string(),
  remote_id: z.string().nullish(),
  created_at: z.string().nullish(),
  modified_at: z.string().nullish(),
  remote_was_deleted: z.boolean().nullish(),
};

export const userSchema = z.object({ ...base, name: z.string().nullish(), email: z.string().nullish(), is_active: z.boolean().nullish() }).loose();
export const stageSchema = z.object({ ...base, name: z.string().nullish() }).loose();
export const accountSchema = z.object({ ...base, name: z.string().nullish(), industry: z.string().nullish() }).loose();

export const opportunitySchema = z
  .object({
    ...base,
    name: z.string().nullish(),
    description: z.string().nullish(),
    amount: z.number().nullish(),
    currency: z.string().nullish(),
    owner: z.union([z.string(), userSchema]).nullish(),
    account: z.union([z.string(), accountSchema]).nullish(),
    stage: z.union([z.string(), stageSchema]).nullish(),
    status: z.enum(['OPEN', 'WON', 'LOST']).nullish(),
    last_activity_at: z.string().nullish(),
    close_date: z.string().nullish(),
  })
  .loose();
export type Opportunity = z.infer<typeof opportunitySchema>;

export const noteSchema = z
  .object({ ...base, content: z.string().nullish(), opportunity: z.string().nullish(), remote_created_at: z.string().nullish() })
  .loose();
export type Note = z.infer<typeof noteSchema>;

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ next: z.string().nullish(), previous: z.string().nullish(), results: z.array(item) });

/** The deal as the rest of the system sees it: relations resolved to names, no CRM ids leaking further. */
export type DealView = {
  id: string;
  name: string;
  amount: number | null;
  currency: string | null;
  stage: string | null;
  status: 'OPEN' | 'WON' | 'LOST' | null;
  account: string | null;
  owner: { name: string | null; email: string | null } | null;
  closeDate: string | null;
  modifiedAt: string | null;
  deleted: boolean;
};

const named = <T extends { name?: string | null | undefined }>(v: string | T | null | undefined) =>
  v && typeof v === 'object' ? (v.name ?? null) : null;

export function toDealView(o: Opportunity): DealView {
  const owner = o.owner && typeof o.owner === 'object' ? { name: o.owner.name ?? null, email: o.owner.email ?? null } : null;
  return {
    id: o.id,
    name: o.name ?? '(unnamed deal)',
    amount: o.amount ?? null,
    currency: o.currency ?? null,
    stage: named(o.stage),
    status: o.status ?? null,
    account: named(o.account),
    owner,
    closeDate: o.close_date ?? null,
    modifiedAt: o.modified_at ?? null,
    deleted: o.remote_was_deleted === true,
  };
}

export function toDealFacts(d: DealView): DealFacts {
  return { id: d.id, name: d.name, amount: d.amount, stage: d.stage, status: d.status, deleted: d.deleted };
}
