/** Merge CRM common models as they travel on the wire (snake_case, key order as in Merge's responses). */

export type FieldMappings = {
  organization_defined_targets: Record<string, unknown>;
  linked_account_defined_targets: Record<string, unknown>;
};

export type CrmUser = {
  id: string;
  remote_id: string | null;
  created_at: string;
  modified_at: string;
  name: string | null;
  email: string | null;
  is_active: boolean | null;
  remote_was_deleted: boolean;
  field_mappings: FieldMappings | null;
  remote_data: null;
};

export type CrmAddress = {
  created_at: string;
  modified_at: string;
  street_1: string | null;
  street_2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
  address_type: 'BILLING' | 'SHIPPING' | null;
};

export type CrmPhoneNumber = {
  created_at: string;
  modified_at: string;
  phone_number: string | null;
  phone_number_type: string | null;
};

export type CrmAccount = {
  id: string;
  remote_id: string | null;
  created_at: string;
  modified_at: string;
  owner: string | CrmUser | null;
  name: string | null;
  description: string | null;
  industry: string | null;
  website: string | null;
  number_of_employees: number | null;
  addresses: CrmAddress[];
  phone_numbers: CrmPhoneNumber[];
  last_activity_at: string | null;
  remote_updated_at: string | null;
  remote_created_at: string | null;
  remote_was_deleted: boolean;
  field_mappings: FieldMappings | null;
  remote_data: null;
};

export type CrmStage = {
  id: string;
  remote_id: string | null;
  created_at: string;
  modified_at: string;
  name: string | null;
  remote_was_deleted: boolean;
  field_mappings: FieldMappings | null;
  remote_data: null;
};

/** Merge's enum is open (OpportunityStatusEnum | string): CRMs send values outside OPEN/WON/LOST. */
export type OpportunityStatus = 'OPEN' | 'WON' | 'LOST' | (string & {});

export type CrmOpportunity = {
  id: string;
  remote_id: string | null;
  created_at: string;
  modified_at: string;
  name: string | null;
  description: string | null;
  amount: number | null;
  owner: string | CrmUser | null;
  account: string | CrmAccount | null;
  stage: string | CrmStage | null;
  status: OpportunityStatus | null;
  last_activity_at: string | null;
  close_date: string | null;
  remote_created_at: string | null;
  remote_was_deleted: boolean;
  field_mappings: FieldMappings | null;
  remote_data: null;
};

export type CrmNote = {
  id: string;
  remote_id: string | null;
  created_at: string;
  modified_at: string;
  owner: string | CrmUser | null;
  content: string | null;
  contact: string | null;
  account: string | CrmAccount | null;
  opportunity: string | CrmOpportunity | null;
  remote_updated_at: string | null;
  remote_created_at: string | null;
  remote_was_deleted: boolean;
  field_mappings: FieldMappings | null;
  remote_data: null;
};

/** The `linked_account` object of a webhook envelope. */
export type LinkedAccount = {
  id: string;
  integration: string;
  integration_slug: string;
  category: string;
  end_user_origin_id: string | null;
  end_user_organization_name: string;
  end_user_email_address: string;
  status: string;
  webhook_listener_url: string;
  is_duplicate: boolean | null;
  account_type: 'PRODUCTION' | 'TEST';
};

/** Everything a simulated linked account holds; relations are stored as ids (unexpanded). */
export type CrmSeed = {
  linkedAccount: LinkedAccount;
  /** The `hook` of the webhook configuration deliveries are attributed to. */
  hook: { id: string; target: string };
  users: CrmUser[];
  accounts: CrmAccount[];
  stages: CrmStage[];
  opportunities: CrmOpportunity[];
  notes: CrmNote[];
};
