import { describe, expect, it } from 'vitest';
import type { CallResult } from '@dda/domain';
import { dialJobId } from '@dda/queues';
import { planFor, routingFromEnv, type DialPlan } from '@dda/routing';
import { calleeFor, hasAttempt, nextAfter } from '../src/dial-ladder.ts';

const VP = '+15550100001';
const B1 = '+15550100009';
const B2 = '+15550100010';
const CRO = '+15550100400';
const env = { VP_SALES_NUMBER: VP, VP_NAME: 'the VP of Sales', ESCALATION_NUMBERS: [B1, B2], VP_TIMEZONE: 'UTC', QUIET_HOURS: '' };
const deal = { account: null, amount: 900_000, stage: 'Negotiation', ownerEmail: null };
/** The environment's ladder, as before routing documents: VP with 2 retries, then each escalation number once. */
const legacy: DialPlan = planFor(routingFromEnv(env, []), 0, deal, 2);
const DELAY = 120_000;

const vp = { role: 'vp', number: VP, recipient: 'vp', name: 'the VP of Sales' };
const b1 = { role: 'escalation', number: B1, recipient: 'escalation-1', name: 'the escalation contact' };
const b2 = { role: 'escalation', number: B2, recipient: 'escalation-2', name: 'the escalation contact' };

describe("the dial ladder of the environment's routing (unchanged behaviour)", () => {
  it.each([
    [0, vp],
    [1, vp],
    [2, vp],
    [3, b1],
    [4, b2],
    [5, null],
  ])('attempt %i rings %j', (attempt, callee) => {
    expect(calleeFor(legacy, attempt)).toEqual(callee);
    expect(hasAttempt(legacy, attempt)).toBe(callee !== null);
  });

  it('rings nobody without a VP number', () => {
    expect(calleeFor(planFor(routingFromEnv({ ...env, VP_SALES_NUMBER: undefined }, []), 0, deal, 2), 0)).toBeNull();
  });

  const table: Array<[CallResult, number, 'vp' | 'escalation', ReturnType<typeof nextAfter>]> = [
    ['connected', 0, 'vp', { kind: 'reached', escalated: false }],
    ['snoozed', 2, 'vp', { kind: 'reached', escalated: false }],
    ['ae_unavailable', 0, 'vp', { kind: 'reached', escalated: false }],
    ['acknowledged', 3, 'escalation', { kind: 'reached', escalated: true }],
    ['failed', 0, 'vp', { kind: 'failed' }],
    ['no_answer', 0, 'vp', { kind: 'retry', attempt: 1, callee: 'vp', recipient: 'vp', delayMs: DELAY }],
    ['voicemail', 1, 'vp', { kind: 'retry', attempt: 2, callee: 'vp', recipient: 'vp', delayMs: DELAY }],
    ['no_answer', 2, 'vp', { kind: 'retry', attempt: 3, callee: 'escalation', recipient: 'escalation-1', delayMs: 0 }],
    ['no_answer', 3, 'escalation', { kind: 'retry', attempt: 4, callee: 'escalation', recipient: 'escalation-2', delayMs: 0 }],
    ['no_answer', 4, 'escalation', { kind: 'exhausted', outcome: 'no_answer' }],
    ['voicemail', 4, 'escalation', { kind: 'exhausted', outcome: 'voicemail' }],
  ];
  it.each(table)('%s on attempt %i (%s) → %j', (result, attempt, callee, expected) => {
    expect(nextAfter(legacy, DELAY, result, attempt, callee)).toEqual(expected);
  });

  it('names a dial job by alert, round and attempt, and a deliberate second job by its tag', () => {
    expect(dialJobId({ alertId: 'al_1', round: 0, attempt: 0 })).toBe('dial-al_1-r0a0');
    expect(dialJobId({ alertId: 'al_1', round: 1, attempt: 2 }, 'quiet-2026120207')).toBe('dial-al_1-r1a2-quiet-2026120207');
  });
});

describe('the dial ladder of a route: each recipient gets its tries, then the next', () => {
  const recipient = (id: string, phone: string, tries: number) => ({
    id,
    name: id.toUpperCase(),
    phone,
    timezone: 'UTC',
    quiet_hours: '',
    tries,
  });
  const plan: DialPlan = { route: 'big deals', version: 4, call: [recipient('cro', CRO, 2), recipient('vp', VP, 3)], ae: null };

  it('rings the CRO twice, then the VP three times, then nobody', () => {
    const rung = [0, 1, 2, 3, 4, 5].map((a) => calleeFor(plan, a)?.recipient ?? null);
    expect(rung).toEqual(['cro', 'cro', 'vp', 'vp', 'vp', null]);
    expect(calleeFor(plan, 2)).toEqual({ role: 'escalation', number: VP, recipient: 'vp', name: 'VP' });
  });

  it('waits between tries of one person, not between people; the second person answering is an escalation', () => {
    expect(nextAfter(plan, DELAY, 'no_answer', 0, 'vp')).toEqual({
      kind: 'retry',
      attempt: 1,
      callee: 'vp',
      recipient: 'cro',
      delayMs: DELAY,
    });
    expect(nextAfter(plan, DELAY, 'no_answer', 1, 'vp')).toEqual({
      kind: 'retry',
      attempt: 2,
      callee: 'escalation',
      recipient: 'vp',
      delayMs: 0,
    });
    expect(nextAfter(plan, DELAY, 'voicemail', 4, 'escalation')).toEqual({ kind: 'exhausted', outcome: 'voicemail' });
    expect(nextAfter(plan, DELAY, 'connected', 3, 'escalation')).toEqual({ kind: 'reached', escalated: true });
  });

  it('a plan without recipients (no route matched) has no attempt at all', () => {
    expect(hasAttempt({ route: null, version: 2, call: [], ae: null }, 0)).toBe(false);
  });
});
