import type { CrmSeed } from '../merge-sim/crm-wire-types.ts';
import { makeAccount, makeNote, makeOpportunity, makeStage, makeUser } from '../merge-sim/crm-records.ts';
import { formatMicros } from '../merge-sim/merge-timestamps.ts';

export type RepDirectoryEntry = { email: string; name: string; phone: string };

/** The AEs who own every seeded deal; the numbers are in the 555-01xx range reserved for fiction. */
export const defaultRepDirectory: RepDirectoryEntry[] = [
  { email: 'dana.whitfield@northwind.example', name: 'Dana Whitfield', phone: '+15550100102' },
  { email: 'marcus.osei@northwind.example', name: 'Marcus Osei', phone: '+15550100103' },
  { email: 'priya.raman@northwind.example', name: 'Priya Raman', phone: '+15550100104' },
];

/** Ids shared with fixtures/merge (copied from the shared fixtures), so fixture-based tests and the demo talk about one deal. */
export const FIXTURE_IDS = {
  deal: '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5',
  account: '9b1e4d72-6c3a-4f05-8d9e-1a2b3c4d5e6f',
  owner: '2d8f6b13-41c7-4a9e-b5d2-7e0c3f9a1b84',
  negotiationStage: 'e41a7c95-2b6d-4e38-9f0a-5c7d8e9f0a1b',
  note: 'b7d9f1a3-5c7e-4a9b-8d1f-3a5c7e9b1d3f',
  contact: '4e6f8a0b-2c4d-4e6f-8a0b-2c4d6e8f0a1c',
} as const;

const DANA = FIXTURE_IDS.owner;
const MARCUS = '5f3a9c27-8e14-4b6d-a0c2-9d7e1f4b3a68';
const PRIYA = '8c1e4f90-27ab-4d35-9e6f-0b2d7a5c8e13';

const NORTHWIND = FIXTURE_IDS.account;
const CONTOSO = '3e7b1d59-0c4a-4f28-b6e3-2a9d8c7f1e04';
const FABRIKAM = '6d2f8a13-5b9e-4c71-8a04-f3e6b1d9c257';
const TAILSPIN = 'c8a4e2b6-1f3d-4e5a-9b7c-0d2e4f6a8b1c';

const STAGE = {
  prospecting: '1a3c5e7f-2b4d-4f6a-8c0e-1b3d5f7a9c2e',
  qualification: '2b4d6f8a-3c5e-4a7b-9d1f-2c4e6a8b0d3f',
  proposal: '3c5e7a9b-4d6f-4b8c-8e2a-3d5f7b9c1e4a',
  negotiation: FIXTURE_IDS.negotiationStage,
  won: '4d6f8b0c-5e7a-4c9d-9f3b-4e6a8c0d2f5b',
  lost: '5e7a9c1d-6f8b-4d0e-8a4c-5f7b9d1e3a6c',
} as const;

const DEAL = {
  platform: FIXTURE_IDS.deal,
  analytics: '0e4b8d2f-6a1c-4e93-b7d5-2f8a6c4e0b19',
  telematics: '5a9d3f71-c2e8-4b06-9f4a-8d1e7c3b5a20',
  posPilot: '9f2c6e04-b8d1-4a57-8e3f-1c5a9d7b2e46',
  coldChain: 'd3b7f915-4e2a-4c80-a6d9-7b1f5e3c9a82',
  renoAddon: '61e8a4c2-0f7b-4d39-b5e1-c4a8f2d6b093',
  labMigration: 'b8f4d0a6-3c9e-4f12-8a7b-e5d1c9f3a674',
} as const;

/**
 * A small Salesforce-flavoured CRM. Times are relative to `now` so a fresh process always has recent
 * activity and a close date ahead (the briefing talks about "closes in 24 days").
 */
export function buildCrmSeed(now: Date = new Date()): CrmSeed {
  const nowMs = now.getTime();
  // Merge's own stamps carry microseconds; the fraction is derived from the offset so reseeding is stable.
  const merge = (minutesAgo: number) =>
    formatMicros(Math.floor(nowMs / 1000 - minutesAgo * 60) * 1_000_000 + ((minutesAgo * 7919 + 104_729) % 1_000_000));
  // Provider stamps (remote_*) have whole seconds, as Salesforce returns them.
  const remote = (minutesAgo: number) => new Date(Math.floor(nowMs / 60_000 - minutesAgo) * 60_000).toISOString().replace('.000Z', 'Z');
  const day = 24 * 60;
  const closeIn = (days: number) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days));
    return d.toISOString().replace('.000Z', 'Z');
  };

  const users = [
    makeUser({
      id: DANA,
      remote_id: '0055g00000AbCdEAAZ',
      created_at: merge(250 * day),
      modified_at: merge(5 * day),
      name: 'Dana Whitfield',
      email: 'dana.whitfield@northwind.example',
    }),
    makeUser({
      id: MARCUS,
      created_at: merge(250 * day),
      modified_at: merge(9 * day),
      name: 'Marcus Osei',
      email: 'marcus.osei@northwind.example',
    }),
    makeUser({
      id: PRIYA,
      created_at: merge(180 * day),
      modified_at: merge(2 * day),
      name: 'Priya Raman',
      email: 'priya.raman@northwind.example',
    }),
  ];

  const stageAt = merge(250 * day + 30);
  const stages = [
    makeStage({ id: STAGE.prospecting, created_at: stageAt, name: 'Prospecting' }),
    makeStage({ id: STAGE.qualification, created_at: stageAt, name: 'Qualification' }),
    makeStage({ id: STAGE.proposal, created_at: stageAt, name: 'Proposal/Price Quote' }),
    makeStage({ id: STAGE.negotiation, remote_id: '01J5g000001AbCdEAK', created_at: stageAt, name: 'Negotiation/Review' }),
    makeStage({ id: STAGE.won, created_at: stageAt, name: 'Closed Won' }),
    makeStage({ id: STAGE.lost, created_at: stageAt, name: 'Closed Lost' }),
  ];

  const accounts = [
    makeAccount({
      id: NORTHWIND,
      remote_id: '0015g00000QrStUAA1',
      created_at: merge(250 * day - 2),
      modified_at: merge(3 * day),
      owner: DANA,
      name: 'Northwind Traders',
      description: 'Regional wholesale food distributor, 14 warehouses.',
      industry: 'Wholesale',
      website: 'https://northwind.example',
      number_of_employees: 1200,
      address: { street_1: '500 Harbor Way', street_2: 'Suite 300', city: 'Oakland', state: 'CA', postal_code: '94607', country: 'US' },
      phone: '+15105550142',
      last_activity_at: remote(day + 70),
      remote_updated_at: remote(4 * day),
      remote_created_at: remote(540 * day),
    }),
    makeAccount({
      id: CONTOSO,
      created_at: merge(240 * day),
      modified_at: merge(6 * day),
      owner: MARCUS,
      name: 'Contoso Pharmaceuticals',
      description: 'Mid-size generics manufacturer with three QA labs.',
      industry: 'Pharmaceuticals',
      website: 'https://contoso.example',
      number_of_employees: 3400,
      address: { street_1: '1 Research Park', city: 'Princeton', state: 'NJ', postal_code: '08540', country: 'US' },
      phone: '+16095550177',
      last_activity_at: remote(2 * day),
      remote_updated_at: remote(6 * day),
      remote_created_at: remote(400 * day),
    }),
    makeAccount({
      id: FABRIKAM,
      created_at: merge(200 * day),
      modified_at: merge(day),
      owner: PRIYA,
      name: 'Fabrikam Logistics',
      description: 'Refrigerated trucking across the Midwest, 600 tractors.',
      industry: 'Transportation',
      website: 'https://fabrikam.example',
      number_of_employees: 2100,
      address: { street_1: '4400 Easton Commons', city: 'Columbus', state: 'OH', postal_code: '43219', country: 'US' },
      phone: '+16145550123',
      last_activity_at: remote(day),
      remote_updated_at: remote(day),
      remote_created_at: remote(300 * day),
    }),
    makeAccount({
      id: TAILSPIN,
      created_at: merge(40 * day),
      modified_at: merge(12 * day),
      owner: DANA,
      name: 'Tailspin Toys',
      industry: 'Retail',
      website: 'https://tailspin.example',
      number_of_employees: 310,
      remote_created_at: remote(41 * day),
    }),
  ];

  const opportunities = [
    makeOpportunity({
      id: DEAL.platform,
      remote_id: '0065g00000XyZ12AAB',
      created_at: merge(84 * day),
      modified_at: merge(95),
      name: 'Northwind - Platform Expansion FY26',
      description: 'Expansion to 3 additional distribution centers; procurement asked for redlines on MSA.',
      amount: 185000,
      owner: DANA,
      account: NORTHWIND,
      stage: STAGE.proposal,
      last_activity_at: remote(day + 70),
      close_date: closeIn(24),
      remote_created_at: remote(84 * day + 13),
    }),
    makeOpportunity({
      id: DEAL.analytics,
      created_at: merge(45 * day),
      modified_at: merge(2 * day),
      name: 'Contoso - Analytics Add-on',
      description: 'Lab analytics module for the Princeton QA team.',
      amount: 42000,
      owner: MARCUS,
      account: CONTOSO,
      stage: STAGE.negotiation,
      last_activity_at: remote(2 * day),
      close_date: closeIn(10),
      remote_created_at: remote(45 * day),
    }),
    makeOpportunity({
      id: DEAL.telematics,
      created_at: merge(20 * day),
      modified_at: merge(3 * day),
      name: 'Fabrikam - Fleet Telematics Renewal',
      description: 'Renewal of 600 in-cab units; scope still being confirmed.',
      amount: 96000,
      owner: PRIYA,
      account: FABRIKAM,
      stage: STAGE.qualification,
      last_activity_at: remote(3 * day),
      close_date: null,
      remote_created_at: remote(20 * day),
    }),
    makeOpportunity({
      id: DEAL.posPilot,
      created_at: merge(12 * day),
      modified_at: merge(12 * day),
      name: 'Tailspin - Retail POS Pilot',
      amount: 18500,
      owner: DANA,
      account: TAILSPIN,
      stage: STAGE.prospecting,
      close_date: closeIn(60),
      remote_created_at: remote(12 * day),
    }),
    makeOpportunity({
      id: DEAL.coldChain,
      created_at: merge(70 * day),
      modified_at: merge(day),
      name: 'Fabrikam - Cold Chain Sensors',
      description: 'Temperature sensors for every reefer trailer, 5-year term.',
      amount: 240000,
      owner: PRIYA,
      account: FABRIKAM,
      stage: STAGE.negotiation,
      last_activity_at: remote(day),
      close_date: closeIn(15),
      remote_created_at: remote(70 * day),
    }),
    makeOpportunity({
      id: DEAL.renoAddon,
      created_at: merge(60 * day),
      modified_at: merge(5 * day),
      name: 'Northwind - Reno DC Add-on',
      amount: 64000,
      owner: MARCUS,
      account: NORTHWIND,
      stage: STAGE.won,
      status: 'WON',
      last_activity_at: remote(5 * day),
      close_date: closeIn(-5),
      remote_created_at: remote(60 * day),
    }),
    makeOpportunity({
      id: DEAL.labMigration,
      created_at: merge(90 * day),
      modified_at: merge(12 * day),
      name: 'Contoso - Lab Data Migration',
      amount: 27000,
      owner: PRIYA,
      account: CONTOSO,
      stage: STAGE.lost,
      status: 'LOST',
      last_activity_at: remote(12 * day),
      close_date: closeIn(-12),
      remote_created_at: remote(90 * day),
    }),
  ];

  const note = (
    id: string,
    deal: string,
    account: string,
    owner: string,
    minutesAgo: number,
    content: string,
    contact: string | null = null,
  ) =>
    makeNote({
      id,
      created_at: merge(minutesAgo - 1),
      owner,
      content,
      contact,
      account,
      opportunity: deal,
      remote_created_at: remote(minutesAgo),
    });

  const notes = [
    makeNote({
      id: FIXTURE_IDS.note,
      remote_id: '0025g00000UvWxYAAV',
      created_at: merge(110),
      owner: DANA,
      content: 'Moved to Negotiation/Review after verbal from CFO. Risk: competitor quoted 15% lower.',
      contact: FIXTURE_IDS.contact,
      account: NORTHWIND,
      opportunity: DEAL.platform,
      remote_created_at: remote(111),
    }),
    note(
      '7a1c3e5b-9d2f-4a6c-8e0b-3d5f7a9c1e2b',
      DEAL.platform,
      NORTHWIND,
      DANA,
      6 * day,
      'Sent revised proposal with 3-year pricing; CFO review booked for next week.',
      FIXTURE_IDS.contact,
    ),
    note(
      '2c4e6a8b-0d3f-4b7c-9e1a-5f7b9d2c4e6a',
      DEAL.analytics,
      CONTOSO,
      MARCUS,
      2 * day,
      'Procurement wants 20 seats instead of 15; the amount may rise to about 58k.',
    ),
    note(
      '8e0a2c4d-6f1b-4d3e-a5c7-9b1d3f5a7c9e',
      DEAL.telematics,
      FABRIKAM,
      PRIYA,
      3 * day,
      'Ops director unsure whether the renewal includes the new Indianapolis depot.',
    ),
    note(
      '4b6d8f0a-2c5e-4f7a-9c1b-7d9f1b3d5f7a',
      DEAL.coldChain,
      FABRIKAM,
      PRIYA,
      day,
      'Legal accepted our liability cap; only the SLA credits remain open.',
    ),
    note(
      '6d8f0b2c-4e7a-4a9c-8b3d-9f1b3d5f7a9c',
      DEAL.coldChain,
      FABRIKAM,
      PRIYA,
      4 * day,
      'Pilot on 40 trailers caught two compressor failures early; champion is the VP of Fleet.',
    ),
    note(
      '0f2b4d6e-8a1c-4c5e-9d7f-1b3d5f7a9c1e',
      DEAL.coldChain,
      FABRIKAM,
      PRIYA,
      9 * day,
      'Competitor demoed cheaper sensors without cellular backup.',
    ),
    // Written in the CRM six weeks ago but synced by Merge minutes ago (a re-sync): Merge lists it first,
    // the CRM's order puts it last. Readers must sort by remote_created_at themselves.
    makeNote({
      id: '3e5a7c9e-1b4d-4f6a-8c0e-2a4c6e8a0c2e',
      created_at: merge(2),
      owner: PRIYA,
      content: 'Intro call: interested in cold-chain monitoring for the 2027 budget.',
      contact: null,
      account: FABRIKAM,
      opportunity: DEAL.coldChain,
      remote_created_at: remote(42 * day),
    }),
    note(
      '3a5c7e9f-1b4d-4e6f-8a0c-2d4f6a8c0e3b',
      DEAL.renoAddon,
      NORTHWIND,
      MARCUS,
      5 * day,
      'Signed order form received; kickoff with the Reno DC manager set.',
    ),
    note(
      '5c7e9a1b-3d6f-4a8b-9c2e-4f6a8c0e2a5d',
      DEAL.labMigration,
      CONTOSO,
      PRIYA,
      12 * day,
      'Lost on timing: they froze IT projects until next fiscal year.',
    ),
  ];

  return {
    linkedAccount: {
      id: 'a3f1c9e2-7b4d-4e8a-9c61-2d5f0b8e4a17',
      integration: 'Salesforce',
      integration_slug: 'salesforce',
      category: 'crm',
      end_user_origin_id: 'tenant-northwind-42',
      end_user_organization_name: 'Northwind Traders',
      end_user_email_address: 'revops@northwind.example',
      status: 'COMPLETE',
      webhook_listener_url: 'https://api.merge.dev/api/integrations/webhook-listener/q9ZrT2mWx4LpV7sKc1NbYdFhJ8uE3aG6oRiP0tXw5Ml',
      is_duplicate: null,
      account_type: 'PRODUCTION',
    },
    hook: { id: '5e7b2c41-9d3a-4f8e-b6a2-0c1d9e8f7a63', target: 'https://alerts.example.com/webhooks/merge' },
    users,
    accounts,
    stages,
    opportunities,
    notes,
  };
}

/** Built once per process: "24 days from now" means from process start. */
export const defaultCrmSeed: CrmSeed = buildCrmSeed();
