import { describe, expect, it } from 'vitest';
import type { CallResult } from '@dda/domain';
import { dialJobId } from '@dda/queues';
import type { CallSettings } from '../src/call-deps.ts';
import { calleeFor, hasAttempt, nextAfter } from '../src/dial-ladder.ts';

const VP = '+15550100001';
const B1 = '+15550100009';
const B2 = '+15550100010';
const settings = { vpNumber: VP, retryAttempts: 2, retryDelayMs: 120_000, escalation: [B1, B2] } as CallSettings;

describe('the dial ladder', () => {
  it.each([
    [0, { role: 'vp', number: VP }],
    [1, { role: 'vp', number: VP }],
    [2, { role: 'vp', number: VP }],
    [3, { role: 'escalation', number: B1 }],
    [4, { role: 'escalation', number: B2 }],
    [5, null],
  ])('attempt %i rings %j', (attempt, callee) => {
    expect(calleeFor(settings, attempt)).toEqual(callee);
    expect(hasAttempt(settings, attempt)).toBe(callee !== null);
  });

  it('rings nobody without a VP number', () => {
    expect(calleeFor({ ...settings, vpNumber: null }, 0)).toBeNull();
  });

  const table: Array<[CallResult, number, 'vp' | 'escalation', ReturnType<typeof nextAfter>]> = [
    ['connected', 0, 'vp', { kind: 'reached', escalated: false }],
    ['snoozed', 2, 'vp', { kind: 'reached', escalated: false }],
    ['ae_unavailable', 0, 'vp', { kind: 'reached', escalated: false }],
    ['acknowledged', 3, 'escalation', { kind: 'reached', escalated: true }],
    ['failed', 0, 'vp', { kind: 'failed' }],
    ['no_answer', 0, 'vp', { kind: 'retry', attempt: 1, callee: 'vp', delayMs: 120_000 }],
    ['voicemail', 1, 'vp', { kind: 'retry', attempt: 2, callee: 'vp', delayMs: 120_000 }],
    ['no_answer', 2, 'vp', { kind: 'retry', attempt: 3, callee: 'escalation', delayMs: 0 }],
    ['no_answer', 3, 'escalation', { kind: 'retry', attempt: 4, callee: 'escalation', delayMs: 0 }],
    ['no_answer', 4, 'escalation', { kind: 'exhausted', outcome: 'no_answer' }],
    ['voicemail', 4, 'escalation', { kind: 'exhausted', outcome: 'voicemail' }],
  ];
  it.each(table)('%s on attempt %i (%s) → %j', (result, attempt, callee, expected) => {
    expect(nextAfter(settings, result, attempt, callee)).toEqual(expected);
  });

  it('names a dial job by alert, round and attempt, and a deliberate second job by its tag', () => {
    expect(dialJobId({ alertId: 'al_1', round: 0, attempt: 0 })).toBe('dial-al_1-r0a0');
    expect(dialJobId({ alertId: 'al_1', round: 1, attempt: 2 }, 'quiet-2026120207')).toBe('dial-al_1-r1a2-quiet-2026120207');
  });
});
