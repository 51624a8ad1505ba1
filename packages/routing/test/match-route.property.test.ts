import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matchRoute, planFor, routeMatches, type RouteFacts, type RouteMatch, type RoutingDocument } from '../src/index.ts';

// Small value pools, so generated routes and deals actually meet each other.
const ACCOUNTS = ['acct-east', 'acct-west', 'acct-eu'];
const STAGES = ['Negotiation/Review', 'Contract Sent', 'closing', 'Prospecting', 'Verbal Commit'];
const STAGE_WORDS = ['negotiation', 'contract_sent', 'closing', 'verbal_commit', 'review'];
const EMAILS = ['priya@seller.example', 'sam@seller.example', 'lee@seller.example'];
const AMOUNTS = [0, 1, 49_999, 50_000, 120_000, 499_999, 500_000, 900_000];

const facts: fc.Arbitrary<RouteFacts> = fc.record({
  account: fc.option(fc.constantFrom(...ACCOUNTS), { nil: null }),
  amount: fc.option(fc.constantFrom(...AMOUNTS), { nil: null }),
  stage: fc.option(fc.constantFrom(...STAGES), { nil: null }),
  ownerEmail: fc.option(fc.constantFrom(...EMAILS, 'PRIYA@Seller.Example'), { nil: null }),
});

const match: fc.Arbitrary<RouteMatch> = fc.record(
  {
    accounts: fc.uniqueArray(fc.constantFrom(...ACCOUNTS), { minLength: 1 }),
    min_amount: fc.constantFrom(...AMOUNTS),
    max_amount: fc.constantFrom(...AMOUNTS.filter((a) => a > 0)),
    stages: fc.uniqueArray(fc.constantFrom(...STAGE_WORDS), { minLength: 1 }),
    owner_emails: fc.uniqueArray(fc.constantFrom(...EMAILS), { minLength: 1 }),
  },
  { requiredKeys: [] },
);

const routes = fc.array(fc.record({ name: fc.string(), match, call: fc.constant(['vp']).map((c) => [...c]) }), { maxLength: 6 });

/** One key on its own, decided here without the code under test. */
function keyHolds(key: keyof RouteMatch, m: RouteMatch, f: RouteFacts): boolean {
  switch (key) {
    case 'accounts':
      return f.account !== null && m.accounts!.includes(f.account);
    case 'min_amount':
      return f.amount !== null && f.amount >= m.min_amount!;
    case 'max_amount':
      return f.amount !== null && f.amount < m.max_amount!;
    case 'owner_emails':
      return f.ownerEmail !== null && m.owner_emails!.includes(f.ownerEmail.toLowerCase());
    case 'stages': {
      if (f.stage === null) return false;
      const words = f.stage
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
      return m.stages!.some((s) => {
        const want = s.split('_');
        return words.some((_, i) => want.every((w, j) => words[i + j] === w));
      });
    }
  }
}

describe('route matching (properties)', () => {
  it('every key present must hold (AND), and an absent key holds for any deal', () => {
    fc.assert(
      fc.property(match, facts, (m, f) => {
        const keys = Object.keys(m) as (keyof RouteMatch)[];
        expect(routeMatches(m, f)).toBe(keys.every((k) => keyHolds(k, m, f)));
      }),
      { numRuns: 2000 },
    );
  });

  it('an empty match takes every deal, and removing a key never turns a match into a miss', () => {
    fc.assert(
      fc.property(
        match,
        facts,
        fc.constantFrom<keyof RouteMatch>('accounts', 'min_amount', 'max_amount', 'stages', 'owner_emails'),
        (m, f, drop) => {
          expect(routeMatches({}, f)).toBe(true);
          const { [drop]: _gone, ...looser } = m;
          if (routeMatches(m, f)) expect(routeMatches(looser, f)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('the first route that matches wins; none matching gives null', () => {
    fc.assert(
      fc.property(routes, facts, (rs, f) => {
        const hit = matchRoute({ routes: rs }, f);
        const expected = rs.findIndex((r) => (Object.keys(r.match) as (keyof RouteMatch)[]).every((k) => keyHolds(k, r.match, f)));
        if (expected === -1) expect(hit).toBeNull();
        else {
          expect(hit?.index).toBe(expected);
          expect(hit?.route).toBe(rs[expected]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a route added after one that matches never changes the result', () => {
    fc.assert(
      fc.property(routes, fc.record({ name: fc.string(), match, call: fc.constant(['cro']).map((c) => [...c]) }), facts, (rs, extra, f) => {
        const before = matchRoute({ routes: rs }, f);
        const after = matchRoute({ routes: [...rs, extra] }, f);
        if (before) expect(after).toEqual(before);
      }),
    );
  });
});

describe('route matching (examples)', () => {
  const deal = (amount: number | null, stage = 'Negotiation/Review'): RouteFacts => ({ account: null, amount, stage, ownerEmail: null });
  it('min_amount is inclusive and max_amount exclusive, so the two split amounts without overlap', () => {
    expect(routeMatches({ min_amount: 500_000 }, deal(500_000))).toBe(true);
    expect(routeMatches({ max_amount: 500_000 }, deal(500_000))).toBe(false);
    expect(routeMatches({ max_amount: 500_000 }, deal(499_999.99))).toBe(true);
  });
  it('an unknown amount matches no amount range', () => {
    expect(routeMatches({ min_amount: 0 }, deal(null))).toBe(false);
  });
  it('stages match like ALERT_STAGES: whole words after normalising', () => {
    expect(routeMatches({ stages: ['negotiation'] }, deal(1, 'Negotiation/Review'))).toBe(true);
    expect(routeMatches({ stages: ['Contract Sent'] }, deal(1, 'contract_sent'))).toBe(true);
    expect(routeMatches({ stages: ['negotiation'] }, deal(1, 'Renegotiation'))).toBe(false);
  });
  it('owner e-mails compare without case', () => {
    expect(routeMatches({ owner_emails: ['priya@seller.example'] }, { ...deal(1), ownerEmail: ' Priya@Seller.EXAMPLE ' })).toBe(true);
  });
});

describe('the dial plan of a matched route', () => {
  const doc: RoutingDocument = {
    recipients: [
      { id: 'vp', name: 'Jordan Lee', phone: '+15550100100', timezone: 'America/New_York', quiet_hours: '21:00-07:00' },
      { id: 'cro', name: 'Alex Kim', phone: '+15550100400', timezone: 'UTC', quiet_hours: '', retries: 0 },
    ],
    routes: [
      { name: 'big deals', match: { min_amount: 500_000 }, call: ['cro', 'vp'] },
      { name: 'everything else', match: {}, call: ['vp'] },
    ],
    reps: [{ email: 'priya@seller.example', name: 'Priya Raman', phone: '+15550100201' }],
  };
  it("lists the route's recipients in its order, each with its own tries, and the owner's rep", () => {
    const plan = planFor(doc, 3, { account: null, amount: 900_000, stage: 'Negotiation', ownerEmail: 'priya@seller.example' }, 2);
    expect(plan).toEqual({
      route: 'big deals',
      version: 3,
      call: [
        { id: 'cro', name: 'Alex Kim', phone: '+15550100400', timezone: 'UTC', quiet_hours: '', tries: 1 },
        { id: 'vp', name: 'Jordan Lee', phone: '+15550100100', timezone: 'America/New_York', quiet_hours: '21:00-07:00', tries: 3 },
      ],
      ae: { name: 'Priya Raman', phone: '+15550100201' },
    });
    expect(planFor(doc, 3, { account: null, amount: 120_000, stage: null, ownerEmail: null }, 2)).toMatchObject({
      route: 'everything else',
      call: [{ id: 'vp' }],
      ae: null,
    });
  });
  it('names nobody when no route matches', () => {
    expect(planFor({ ...doc, routes: [doc.routes[0]!] }, 1, { account: null, amount: 10, stage: null, ownerEmail: null }, 2)).toMatchObject(
      { route: null, call: [] },
    );
  });
});
