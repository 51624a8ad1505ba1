import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyCallEvent, newCallBackContext, type CallAction, type CallEvent } from '../src/call-machine.ts';
import { promptWithoutAlert } from '../src/call-script.ts';
import { applyAll } from './support/apply-all.ts';

/** Events of a call to our number: only the caller's leg until "connect me", keys with and without a matching PIN. */
const event: fc.Arbitrary<CallEvent> = fc.oneof(
  fc.constant<CallEvent>({ type: 'answered', leg: 'vp' }),
  fc.constantFrom('completed', 'call_hangup').map((status): CallEvent => ({ type: 'speak_ended', leg: 'vp', status })),
  fc
    .tuple(
      fc.constantFrom('', '1', '4', '9', '2468'),
      fc.constantFrom('valid', 'timeout', 'call_hangup'),
      fc.option(fc.boolean(), { nil: undefined }),
    )
    .map(
      ([digits, status, pinOk]): CallEvent => ({
        type: 'gather_ended',
        leg: 'vp',
        digits,
        status,
        ...(pinOk === undefined ? {} : { pinOk }),
      }),
    ),
  fc.constantFrom('connect me', 'got it', 'next').map((text): CallEvent => ({ type: 'transcript', leg: 'vp', text })),
  fc.constant<CallEvent>({ type: 'hangup', leg: 'vp', cause: 'normal_clearing', answered: true }),
  fc.constant<CallEvent>({ type: 'stall' }),
  fc.constant<CallEvent>({ type: 'failure', reason: 'Telnyx refused speak (422)' }),
);

const prompts = (actions: CallAction[]) => actions.flatMap((a) => (a.do === 'speak' || a.do === 'gather' ? [a.prompt] : []));

describe('the call machine on a call back', () => {
  it('with a PIN asked, nothing about a deal is said until the PIN matched, whatever happens', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), fc.integer({ min: 0, max: 3 }), (events, open) => {
        let ctx = newCallBackContext(Array(open).fill(true), true);
        for (const e of events) {
          const t = applyCallEvent(ctx, e);
          if (!t) continue;
          const admittedBefore = ctx.callBack!.admitted;
          ctx = t.ctx;
          const dealWords = prompts(t.actions).filter((p) => promptWithoutAlert(p) === null);
          // Only the transition that admits the caller (a matching PIN) may start on the deal.
          const matched = e.type === 'gather_ended' && e.pinOk === true;
          if (dealWords.length > 0 && !admittedBefore && !matched) return false;
          if (t.actions.some((a) => a.do === 'dial_ae') && !ctx.callBack!.admitted) return false;
        }
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws, and ends at most once', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), fc.integer({ min: 0, max: 3 }), fc.boolean(), (events, open, pin) => {
        const { ctx, actions } = applyAll(newCallBackContext(Array(open).fill(true), pin), events);
        const finishes = actions.filter((a) => a.do === 'finish').length;
        return ctx.state === 'ended' ? finishes === 1 : finishes === 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('answered without a PIN: the open alert at once; with nothing open: a goodbye that names no deal', () => {
    expect(prompts(applyAll(newCallBackContext([true], false), [{ type: 'answered', leg: 'vp' }]).actions)).toEqual(['headline']);
    const none = applyAll(newCallBackContext([], false), [{ type: 'answered', leg: 'vp' }]);
    expect(prompts(none.actions)).toEqual(['callback_none']);
  });

  it('two wrong PINs end the call; a right one after a wrong one admits the caller', () => {
    const answered: CallEvent = { type: 'answered', leg: 'vp' };
    const wrong: CallEvent = { type: 'gather_ended', leg: 'vp', digits: '', status: 'valid', pinOk: false };
    const right: CallEvent = { type: 'gather_ended', leg: 'vp', digits: '', status: 'valid', pinOk: true };
    const refused = applyAll(newCallBackContext([true], true), [answered, wrong, wrong]);
    expect(prompts(refused.actions)).toEqual(['pin', 'pin_again', 'pin_refused']);
    expect(refused.ctx.result).toBe('failed');
    const admitted = applyAll(newCallBackContext([true], true), [answered, wrong, right]);
    expect(prompts(admitted.actions)).toEqual(['pin', 'pin_again', 'headline']);
    expect(admitted.ctx.callBack!.admitted).toBe(true);
  });
});
