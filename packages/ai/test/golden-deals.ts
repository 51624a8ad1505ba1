import type { Alert } from '@dda/store';

/** A fixed "now" so relative dates in golden texts never drift: Wednesday 25 November 2026, 15:00 UTC. */
export const NOW = new Date('2026-11-25T15:00:00Z');

const base = (over: Partial<Alert> & { deal: Alert['deal'] }): Alert => ({
  id: 'al_golden',
  created_at: NOW.toISOString(),
  source: 'webhook',
  status: 'pending',
  outcome: null,
  outcome_reason: null,
  talk_seconds: null,
  reason: '',
  reasons: [],
  briefing: null,
  timeline: [],
  ...over,
});

/** Deals the golden tests speak about: large and small, USD (no currency from Merge), EUR, GBP, no close date, manual. */
export const GOLDEN = {
  northwind: base({
    reason: 'moved from Proposal/Price Quote to alert stage Negotiation/Review',
    reasons: ['entered_alert_stage'],
    deal: {
      id: '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5',
      name: 'Northwind - Platform Expansion FY26',
      amount: 185000,
      currency: null,
      stage: 'Negotiation/Review',
      previous_stage: 'Proposal/Price Quote',
      account: 'Northwind Traders',
      owner: { name: 'Dana Whitfield', email: 'dana.whitfield@northwind.example' },
      close_date: '2026-12-19T00:00:00Z',
    },
  }),
  contosoEur: base({
    reason: 'moved from Qualification to alert stage Contract Sent; amount 2750000 crossed the threshold 50000',
    reasons: ['entered_alert_stage', 'crossed_threshold'],
    deal: {
      id: '0e4b8d2f-6a1c-4e93-b7d5-2f8a6c4e0b19',
      name: 'Contoso - Analytics Add-on',
      amount: 2_750_000,
      currency: 'EUR',
      stage: 'Contract Sent',
      previous_stage: 'Qualification',
      account: 'Contoso Pharmaceuticals',
      owner: { name: 'Marcus Osei', email: 'marcus.osei@northwind.example' },
      close_date: '2026-11-26',
    },
  }),
  tailspinGbp: base({
    source: 'poll',
    reason: 'first seen in alert stage Verbal Commit',
    reasons: ['first_seen_in_alert_stage'],
    deal: {
      id: '9f2c6e04-b8d1-4a57-8e3f-1c5a9d7b2e46',
      name: 'Tailspin - Retail POS Pilot',
      amount: 9_500,
      currency: 'GBP',
      stage: 'Verbal Commit',
      previous_stage: null,
      account: 'Tailspin Toys',
      owner: { name: 'Priya Raman', email: 'priya.raman@northwind.example' },
      close_date: null,
    },
  }),
  fabrikamThreshold: base({
    reason: 'amount 96000 crossed the threshold 50000',
    reasons: ['crossed_threshold'],
    deal: {
      id: '5a9d3f71-c2e8-4b06-9f4a-8d1e7c3b5a20',
      name: 'Fabrikam - Fleet Telematics Renewal',
      amount: 96_000,
      currency: null,
      stage: 'Qualification',
      previous_stage: 'Qualification',
      account: 'Fabrikam Logistics',
      owner: { name: 'Priya Raman', email: 'priya.raman@northwind.example' },
      close_date: '2027-03-31',
    },
  }),
  manual: base({
    source: 'manual',
    reason: 'manual alert',
    reasons: ['manual'],
    deal: {
      id: 'manual-mh3k2x9',
      name: 'Platform Expansion FY26',
      amount: 1_200_000,
      currency: null,
      stage: 'Negotiation/Review',
      previous_stage: null,
      account: 'Northwind Traders',
      owner: { name: null, email: 'dana.whitfield@northwind.example' },
      close_date: null,
    },
  }),
} satisfies Record<string, Alert>;
