import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DialPlan } from '@dda/routing';
import { calleeFor, firstAttemptOf, hasAttempt, nextAfter } from '../src/dial-ladder.ts';

const plan: fc.Arbitrary<DialPlan> = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 5 }).map((tries) => ({
  route: 'r',
  version: 1,
  ae: null,
  call: tries.map((t, i) => ({
    id: `p${i}`,
    name: `Person ${i}`,
    phone: `+1555010${String(i).padStart(4, '0')}`,
    timezone: 'UTC',
    quiet_hours: '',
    tries: t,
  })),
}));

describe('the dial ladder (properties)', () => {
  it("rings each recipient exactly its tries, in the route's order, and nobody after", () => {
    fc.assert(
      fc.property(plan, (p) => {
        const total = p.call.reduce((n, r) => n + r.tries, 0);
        const rung = Array.from({ length: total + 2 }, (_, a) => calleeFor(p, a)?.recipient ?? null);
        expect(rung).toEqual([...p.call.flatMap((r) => Array(r.tries).fill(r.id)), null, null]);
        expect(hasAttempt(p, total)).toBe(false);
        if (total > 0) expect(hasAttempt(p, total - 1)).toBe(true);
      }),
    );
  });

  it('an unanswered call waits before the same person again and rings the next person at once; the last try ends the alert', () => {
    fc.assert(
      fc.property(plan, fc.constantFrom('no_answer' as const, 'voicemail' as const), fc.nat({ max: 600_000 }), (p, result, delay) => {
        const total = p.call.reduce((n, r) => n + r.tries, 0);
        for (let a = 0; a < total; a++) {
          const now = calleeFor(p, a)!;
          const after = nextAfter(p, delay, result, a, now.role);
          if (a === total - 1) {
            expect(after).toEqual({ kind: 'exhausted', outcome: result });
            continue;
          }
          const next = calleeFor(p, a + 1)!;
          expect(after).toEqual({
            kind: 'retry',
            attempt: a + 1,
            callee: next.role,
            recipient: next.recipient,
            delayMs: next.recipient === now.recipient ? delay : 0,
          });
        }
      }),
    );
  });

  it('only the first recipient is the primary: anyone later answering makes the alert escalated', () => {
    fc.assert(
      fc.property(plan, fc.constantFrom('connected' as const, 'acknowledged' as const, 'snoozed' as const), (p, result) => {
        const total = p.call.reduce((n, r) => n + r.tries, 0);
        for (let a = 0; a < total; a++) {
          const who = calleeFor(p, a)!;
          expect(who.role).toBe(who.recipient === p.call[0]!.id ? 'vp' : 'escalation');
          expect(nextAfter(p, 1000, result, a, who.role)).toEqual({ kind: 'reached', escalated: who.recipient !== p.call[0]!.id });
        }
      }),
    );
  });

  it("a recipient's first attempt rings that recipient (where a snoozed round restarts)", () => {
    fc.assert(
      fc.property(plan, (p) => {
        for (const r of p.call) expect(calleeFor(p, firstAttemptOf(p, r.id))?.recipient).toBe(r.id);
        expect(firstAttemptOf(p, 'nobody')).toBe(0);
      }),
    );
  });
});
