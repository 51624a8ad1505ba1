import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideAlert, isAlertStage, normalizeStage, snapshotOf, type DealFacts, type DealSnapshot } from '../src/deal-rules.ts';

const rules = { alertStages: ['negotiation', 'contract_sent', 'verbal_commit', 'closing'], threshold: 50_000 };
const stages = [
  'Prospecting',
  'Qualification',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Contract Sent',
  'Closed Won',
  'Closed Lost',
  'verbal commit',
];

const deal = (over: Partial<DealFacts> = {}): DealFacts => ({
  id: 'd1',
  name: 'Deal',
  amount: 10_000,
  stage: 'Qualification',
  status: 'OPEN',
  deleted: false,
  ...over,
});

const arbDeal = fc.record({
  id: fc.constant('d1'),
  name: fc.string(),
  amount: fc.option(fc.double({ min: 0, max: 1e7, noNaN: true }), { nil: null }),
  stage: fc.option(fc.constantFrom(...stages), { nil: null }),
  status: fc.constantFrom('OPEN' as const, 'WON' as const, 'LOST' as const, null),
  deleted: fc.boolean(),
});

describe('stage names', () => {
  it('normalise case, spaces and punctuation the same way', () => {
    expect(normalizeStage('Negotiation/Review')).toBe('negotiation_review');
    expect(normalizeStage('  contract   SENT ')).toBe('contract_sent');
    expect(isAlertStage('Negotiation/Review', rules.alertStages)).toBe(true);
    expect(isAlertStage('Renegotiation', rules.alertStages)).toBe(false);
    expect(isAlertStage('Closing', rules.alertStages)).toBe(true);
  });

  it('normalisation is idempotent', () => {
    fc.assert(fc.property(fc.string(), (s) => normalizeStage(normalizeStage(s)) === normalizeStage(s)));
  });
});

describe('decideAlert', () => {
  it('alerts when a deal moves into an alert stage, with the reason', () => {
    const d = decideAlert(snapshotOf(deal({ stage: 'Proposal/Price Quote' }), rules), deal({ stage: 'Negotiation/Review' }), rules);
    expect(d).toMatchObject({ alert: true, reasons: ['entered_alert_stage'] });
    expect(d.reason).toContain('Negotiation/Review');
  });

  it('alerts on the first sighting of a deal already in an alert stage', () => {
    expect(decideAlert(null, deal({ stage: 'Negotiation/Review' }), rules)).toMatchObject({
      alert: true,
      reasons: ['first_seen_in_alert_stage'],
    });
  });

  it('alerts when the amount crosses the threshold upward, not downward', () => {
    const prev = snapshotOf(deal({ amount: 40_000 }), rules);
    expect(decideAlert(prev, deal({ amount: 60_000 }), rules)).toMatchObject({ alert: true, reasons: ['crossed_threshold'] });
    expect(decideAlert(snapshotOf(deal({ amount: 60_000 }), rules), deal({ amount: 40_000 }), rules).alert).toBe(false);
  });

  it('never alerts for closed, won, lost or deleted deals', () => {
    fc.assert(
      fc.property(fc.option(arbDeal, { nil: null }), arbDeal, (prev, next) => {
        const closed = next.deleted || next.status === 'WON' || next.status === 'LOST' || /closed/i.test(next.stage ?? '');
        fc.pre(closed);
        return decideAlert(prev ? snapshotOf(prev, rules) : null, next, rules).alert === false;
      }),
    );
  });

  it('the same deal seen again in the same stage and band never alerts', () => {
    fc.assert(
      fc.property(arbDeal, fc.double({ min: 0, max: 1e7, noNaN: true }), (d, otherAmount) => {
        const again = {
          ...d,
          amount: d.amount === null ? null : d.amount >= rules.threshold === otherAmount >= rules.threshold ? otherAmount : d.amount,
        };
        return decideAlert(snapshotOf(d, rules), again, rules).alert === false;
      }),
    );
  });

  it('any alert names a rule, and the change key is stable for the same transition', () => {
    fc.assert(
      fc.property(fc.option(arbDeal, { nil: null }), arbDeal, (prev, next) => {
        const snap = prev ? snapshotOf(prev, rules) : null;
        const a = decideAlert(snap, next, rules);
        const b = decideAlert(snap, next, rules);
        if (!a.alert) return !b.alert;
        return a.reasons.length > 0 && b.alert && a.changeKey === b.changeKey;
      }),
    );
  });

  it('replaying the deal through its own snapshot is a fixed point (no alert the second time)', () => {
    fc.assert(
      fc.property(fc.array(arbDeal, { minLength: 1, maxLength: 8 }), (history) => {
        let snap: DealSnapshot | null = null;
        for (const d of history) snap = snapshotOf(d, rules);
        return decideAlert(snap, history.at(-1)!, rules).alert === false;
      }),
    );
  });
});
