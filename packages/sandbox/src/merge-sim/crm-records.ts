import type { CrmAccount, CrmNote, CrmOpportunity, CrmStage, CrmUser, FieldMappings } from './crm-wire-types.ts';

/**
 * Builders that fill Merge's bookkeeping fields, so every record carries the full key set of the fixtures
 * even when a seed only states what matters for the story.
 */

export const emptyFieldMappings = (): FieldMappings => ({ organization_defined_targets: {}, linked_account_defined_targets: {} });

type Stamped = { id: string; created_at: string; modified_at?: string; remote_id?: string | null };

function bookkeeping(r: Stamped, remotePrefix: string) {
  return {
    id: r.id,
    remote_id: r.remote_id === undefined ? salesforceLikeId(remotePrefix, r.id) : r.remote_id,
    created_at: r.created_at,
    modified_at: r.modified_at ?? r.created_at,
  };
}

const tail = () => ({ remote_was_deleted: false, field_mappings: emptyFieldMappings(), remote_data: null });

/** 18-character ids in Salesforce's style, derived from the Merge id so reseeding gives the same value. */
export function salesforceLikeId(prefix: string, id: string): string {
  return `${prefix}5g00000${id.replace(/-/g, '').slice(0, 5).toUpperCase()}AAV`;
}

export function makeUser(u: Stamped & { name: string; email: string; is_active?: boolean }): CrmUser {
  return { ...bookkeeping(u, '005'), name: u.name, email: u.email, is_active: u.is_active ?? true, ...tail() };
}

export function makeStage(s: Stamped & { name: string }): CrmStage {
  return { ...bookkeeping(s, '01J'), name: s.name, ...tail() };
}

export function makeAccount(
  a: Stamped &
    Pick<CrmAccount, 'name' | 'owner'> &
    Partial<
      Pick<
        CrmAccount,
        'description' | 'industry' | 'website' | 'number_of_employees' | 'last_activity_at' | 'remote_updated_at' | 'remote_created_at'
      >
    > & {
      address?: { street_1: string; street_2?: string; city: string; state: string; postal_code: string; country: string };
      phone?: string;
    },
): CrmAccount {
  const stamp = { created_at: a.created_at, modified_at: a.created_at };
  return {
    ...bookkeeping(a, '001'),
    owner: a.owner,
    name: a.name,
    description: a.description ?? null,
    industry: a.industry ?? null,
    website: a.website ?? null,
    number_of_employees: a.number_of_employees ?? null,
    addresses: a.address
      ? [
          {
            ...stamp,
            street_1: a.address.street_1,
            street_2: a.address.street_2 ?? null,
            city: a.address.city,
            state: a.address.state,
            postal_code: a.address.postal_code,
            country: a.address.country,
            address_type: 'BILLING',
          },
        ]
      : [],
    phone_numbers: a.phone ? [{ ...stamp, phone_number: a.phone, phone_number_type: 'Main' }] : [],
    last_activity_at: a.last_activity_at ?? null,
    remote_updated_at: a.remote_updated_at ?? null,
    remote_created_at: a.remote_created_at ?? null,
    ...tail(),
  };
}

export function makeOpportunity(
  o: Stamped &
    Pick<CrmOpportunity, 'name' | 'amount' | 'owner' | 'account' | 'stage'> &
    Partial<Pick<CrmOpportunity, 'description' | 'status' | 'last_activity_at' | 'close_date' | 'remote_created_at'>>,
): CrmOpportunity {
  return {
    ...bookkeeping(o, '006'),
    name: o.name,
    description: o.description ?? null,
    amount: o.amount,
    owner: o.owner,
    account: o.account,
    stage: o.stage,
    status: o.status ?? 'OPEN',
    last_activity_at: o.last_activity_at ?? null,
    close_date: o.close_date ?? null,
    remote_created_at: o.remote_created_at ?? null,
    ...tail(),
  };
}

export function makeNote(
  n: Stamped &
    Pick<CrmNote, 'owner' | 'content' | 'account' | 'opportunity'> &
    Partial<Pick<CrmNote, 'contact' | 'remote_created_at' | 'remote_updated_at'>>,
): CrmNote {
  return {
    ...bookkeeping(n, '002'),
    owner: n.owner,
    content: n.content,
    contact: n.contact ?? null,
    account: n.account,
    opportunity: n.opportunity,
    remote_updated_at: n.remote_updated_at ?? n.remote_created_at ?? null,
    remote_created_at: n.remote_created_at ?? null,
    ...tail(),
  };
}
