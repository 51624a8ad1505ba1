import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { opportunitySchema, statusClass, toDealView } from '../src/merge-models.ts';

const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/merge/opportunity.expanded.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

describe('open models: what real Merge records carry', () => {
  it('any status string is a readable record; only won, lost and closed-like names close the deal', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (status) => {
        const parsed = opportunitySchema.safeParse({ ...fixture, status });
        expect(parsed.success).toBe(true);
        const cls = toDealView(parsed.data!).status;
        const words = status
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '_')
          .split('_');
        if (status.trim() === '') expect(cls).toBeNull();
        else if (words.includes('won')) expect(cls).toBe('WON');
        else if (words.some((w) => ['closed', 'lost', 'cancelled', 'canceled', 'abandoned', 'dead', 'disqualified'].includes(w)))
          expect(cls).toBe('LOST');
        else expect(cls).toBe('OPEN');
      }),
    );
  });

  it.each([
    ['OPEN', 'OPEN'],
    ['PENDING', 'OPEN'],
    ['ON_HOLD', 'OPEN'],
    ['WON', 'WON'],
    ['LOST', 'LOST'],
    ['Closed Won', 'WON'],
    ['CLOSED_LOST', 'LOST'],
    ['closed', 'LOST'],
    ['Unwonted', 'OPEN'],
  ])('status %s reads as %s', (raw, cls) => {
    expect(statusClass(raw)).toBe(cls);
  });

  it('amount null and unknown fields are fine; a wrong type for a field we read is not', () => {
    expect(
      opportunitySchema.safeParse({ ...fixture, amount: null, opportunity_url: 'https://crm.example/x', brand_new: { a: 1 } }).success,
    ).toBe(true);
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.constant(null)),
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in fixture)),
          fc.jsonValue(),
        ),
        (amount, extra) => {
          const parsed = opportunitySchema.safeParse({ ...extra, ...fixture, amount });
          expect(parsed.success).toBe(true);
          expect(toDealView(parsed.data!).amount).toBe(amount);
        },
      ),
    );
    expect(opportunitySchema.safeParse({ ...fixture, amount: 'lots' }).success).toBe(false);
    expect(opportunitySchema.safeParse({ ...fixture, id: 42 }).success).toBe(false);
  });

  it('relations sent as ids take their names from the directory', () => {
    const view = toDealView(opportunitySchema.parse({ ...fixture, owner: 'u1', account: 'a1', stage: 's1' }), {
      owner: { name: 'Priya', email: 'p@x' },
      account: 'Northwind',
      stage: 'Negotiation/Review',
    });
    expect(view).toMatchObject({ owner: { name: 'Priya', email: 'p@x' }, account: 'Northwind', stage: 'Negotiation/Review' });
  });
});
