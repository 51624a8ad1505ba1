import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyCallEvent, newCallContext, TRANSITIONS, type CallContext, type CallEvent } from '../src/call-machine.ts';

const leg = fc.constantFrom('vp' as const, 'ae' as const);
const step = fc.option(fc.integer({ min: 0, max: 6 }), { nil: null });
const event: fc.Arbitrary<CallEvent> = fc.oneof(
  leg.map((l) => ({ type: 'answered' as const, leg: l })),
  fc.tuple(leg, fc.constantFrom('human' as const, 'machine' as const, 'not_sure' as const)).map(([l, r]) => ({ type: 'amd' as const, leg: l, result: r })),
  leg.map((l) => ({ type: 'greeting_ended' as const, leg: l })),
  fc.tuple(leg, step).map(([l, s]) => ({ type: 'speak_ended' as const, leg: l, step: s })),
  fc.tuple(leg, step, fc.constantFrom('', '1', '2', '3', '4', '9'), fc.constantFrom('valid', 'timeout', 'cancelled')).map(([l, s, d, st]) => ({ type: 'gather_ended' as const, leg: l, step: s, digits: d, status: st })),
  fc.tuple(leg, step, fc.constantFrom('1', '2', '3', '4', '9')).map(([l, s, d]) => ({ type: 'dtmf' as const, leg: l, step: s, digit: d })),
  fc.tuple(leg, fc.constantFrom('connect me', 'repeat', 'got it', 'remind me later', 'yes', 'no', "what's the close date")).map(([l, t]) => ({ type: 'transcript' as const, leg: l, text: t })),
  leg.map((l) => ({ type: 'bridged' as const, leg: l })),
  fc.tuple(leg, fc.constantFrom('normal_clearing', 'timeout', 'user_busy')).map(([l, c]) => ({ type: 'hangup' as const, leg: l, cause: c })),
);

function run(events: CallEvent[], aeKnown = true): { ctx: CallContext; finishes: number } {
  let ctx = newCallContext(aeKnown);
  let finishes = 0;
  for (const e of events) {
    const t = applyCallEvent(ctx, e);
    if (!t) continue;
    ctx = t.ctx;
    finishes += t.actions.filter((a) => a.do === 'finish').length;
  }
  return { ctx, finishes };
}

describe('the call state machine', () => {
  it('ended is final: no transition leaves it', () => {
    expect(Object.keys(TRANSITIONS['ended'])).toEqual([]);
  });

  it('never throws, finishes at most once, and a finished call has a result', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.boolean(), (events, aeKnown) => {
        const { ctx, finishes } = run(events, aeKnown);
        if (finishes > 1) return false;
        if (ctx.state === 'ended') return finishes === 1 && ctx.result !== null;
        return finishes === 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('the happy path connects', () => {
    const { ctx } = run([
      { type: 'answered', leg: 'vp' },
      { type: 'speak_ended', leg: 'vp', step: 1 },
      { type: 'dtmf', leg: 'vp', step: 2, digit: '1' },
      { type: 'amd', leg: 'ae', result: 'human' },
      { type: 'dtmf', leg: 'ae', step: 1, digit: '1' },
      { type: 'bridged', leg: 'vp' },
      { type: 'hangup', leg: 'vp', cause: 'normal_clearing' },
    ]);
    expect(ctx).toMatchObject({ state: 'ended', result: 'connected' });
  });
});
