import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applyCallEvent,
  newCallContext,
  STATE_DESCRIPTIONS,
  TRANSITIONS,
  type CallAction,
  type CallContext,
  type CallEvent,
} from '../src/call-machine.ts';
import { applyAll } from './support/apply-all.ts';

const leg = fc.constantFrom('vp' as const, 'ae' as const);
const event: fc.Arbitrary<CallEvent> = fc.oneof(
  leg.map((l): CallEvent => ({ type: 'answered', leg: l })),
  fc
    .tuple(leg, fc.constantFrom('human' as const, 'machine' as const, 'not_sure' as const))
    .map(([l, r]): CallEvent => ({ type: 'amd', leg: l, result: r })),
  leg.map((l): CallEvent => ({ type: 'greeting_ended', leg: l })),
  fc
    .tuple(leg, fc.constantFrom('completed', 'call_hangup', 'cancelled_amd'))
    .map(([l, st]): CallEvent => ({ type: 'speak_ended', leg: l, status: st })),
  fc
    .tuple(
      leg,
      fc.constantFrom('', '1', '2', '3', '4', '9'),
      fc.constantFrom('valid', 'timeout', 'cancelled', 'call_hangup', 'cancelled_amd'),
    )
    .map(([l, d, st]): CallEvent => ({ type: 'gather_ended', leg: l, digits: d, status: st })),
  fc
    .tuple(leg, fc.constantFrom('connect me', 'repeat', 'got it', 'remind me later', 'yes', 'no', "what's the close date"))
    .map(([l, t]): CallEvent => ({ type: 'transcript', leg: l, text: t })),
  leg.map((l): CallEvent => ({ type: 'bridged', leg: l })),
  fc
    .tuple(leg, fc.constantFrom('normal_clearing', 'timeout', 'user_busy'), fc.boolean())
    .map(([l, c, a]): CallEvent => ({ type: 'hangup', leg: l, cause: c, answered: a })),
  fc.constant<CallEvent>({ type: 'stall' }),
  fc.constant<CallEvent>({ type: 'failure', reason: 'Telnyx refused speak (422)' }),
);

function run(events: CallEvent[], aeKnown = true): { ctx: CallContext; actions: CallAction[]; finishes: number } {
  const { ctx, actions } = applyAll(newCallContext(aeKnown), events);
  return { ctx, actions, finishes: actions.filter((a) => a.do === 'finish').length };
}
const commands = (actions: CallAction[]) =>
  actions.filter((a) => a.do !== 'note' && a.do !== 'finish' && a.do !== 'outcome').map((a) => ('leg' in a ? `${a.do}:${a.leg}` : a.do));
const said = (actions: CallAction[]) => actions.flatMap((a) => (a.do === 'speak' || a.do === 'gather' ? [a.prompt] : []));

describe('the call state machine', () => {
  it('ended is final: no transition leaves it, and every state says what it is', () => {
    expect(Object.keys(TRANSITIONS['ended'])).toEqual([]);
    expect(Object.keys(STATE_DESCRIPTIONS).sort()).toEqual(Object.keys(TRANSITIONS).sort());
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

  it('an answered VP leg is never left without a pending prompt unless the call is bridged, ended or waiting on the AE', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const { ctx } = run(events);
        const vp = ctx.legs.vp;
        if (!vp.answered || vp.ended) return true;
        // A prompt ended by the hangup: the leg is gone, its call.hangup is on the way.
        if (events.some((e) => (e.type === 'speak_ended' || e.type === 'gather_ended') && e.leg === 'vp' && e.status === 'call_hangup'))
          return true;
        if (['ended', 'bridged', 'bridging', 'ae_ringing', 'ae_whisper', 'voicemail_greeting'].includes(ctx.state)) return true;
        // Otherwise something plays or listens: the watchdog's clock is what covers a lost end event.
        return vp.queue.length > 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('the happy path connects, and says so at the bridge before the hangup', () => {
    const { ctx, actions } = run([
      { type: 'answered', leg: 'vp' },
      { type: 'speak_ended', leg: 'vp', status: 'completed' },
      { type: 'gather_ended', leg: 'vp', digits: '1', status: 'valid' },
      { type: 'amd', leg: 'ae', result: 'human' },
      { type: 'gather_ended', leg: 'ae', digits: '1', status: 'valid' },
      { type: 'bridged', leg: 'vp' },
    ]);
    expect(ctx.state).toBe('bridged');
    expect(actions).toContainEqual({ do: 'outcome', result: 'connected' });
    const after = applyCallEvent(ctx, { type: 'hangup', leg: 'vp', cause: 'normal_clearing' })!;
    expect(after.ctx).toMatchObject({ state: 'ended', result: 'connected' });
  });

  it('"connect me" during the headline cuts it: the next speak carries cut, and the headline\'s late end changes nothing', () => {
    const { ctx, actions } = run([
      { type: 'answered', leg: 'vp' },
      { type: 'transcript', leg: 'vp', text: 'connect me' },
    ]);
    expect(actions.find((a) => a.do === 'speak' && a.prompt === 'connecting')).toMatchObject({ cut: true });
    expect(ctx.state).toBe('ae_ringing');
    const late = applyCallEvent(ctx, { type: 'speak_ended', leg: 'vp', status: 'completed' })!;
    expect(late.actions).toEqual([]);
    expect(late.ctx.legs.vp.queue.map((p) => p.name)).toEqual(['connecting']);
  });

  it('a key is taken from a gather only: the headline (a plain speak) is followed by the briefing gather', () => {
    const { actions } = run([
      { type: 'answered', leg: 'vp' },
      { type: 'speak_ended', leg: 'vp', status: 'completed' },
    ]);
    expect(actions.filter((a) => a.do === 'gather').map((a) => (a as { prompt: string }).prompt)).toEqual(['briefing']);
  });

  it("voicemail during the headline: the message cuts the headline, the headline's end does not end the call, the message's does", () => {
    const { ctx, actions } = run([
      { type: 'answered', leg: 'vp' },
      { type: 'amd', leg: 'vp', result: 'machine' },
      { type: 'greeting_ended', leg: 'vp' },
    ]);
    expect(ctx.state).toBe('voicemail_message');
    expect(actions.find((a) => a.do === 'speak' && a.prompt === 'voicemail')).toMatchObject({ cut: true });
    // Whatever client_state it carries, the first speak end belongs to the headline.
    const headlineEnd = applyCallEvent(ctx, { type: 'speak_ended', leg: 'vp', status: 'cancelled_amd' })!;
    expect(headlineEnd.ctx.state).toBe('voicemail_message');
    const messageEnd = applyCallEvent(headlineEnd.ctx, { type: 'speak_ended', leg: 'vp', status: 'completed' })!;
    expect(messageEnd.ctx).toMatchObject({ state: 'ended', result: 'voicemail', resultReason: 'message left' });
  });

  it('a voicemail message cut by the hangup is not counted as left', () => {
    const { ctx } = run([
      { type: 'answered', leg: 'vp' },
      { type: 'amd', leg: 'vp', result: 'machine' },
      { type: 'speak_ended', leg: 'vp', status: 'cancelled_amd' },
      { type: 'greeting_ended', leg: 'vp' },
      { type: 'speak_ended', leg: 'vp', status: 'call_hangup' },
    ]);
    expect(ctx).toMatchObject({ state: 'ended', result: 'voicemail' });
    expect(ctx.resultReason).toMatch(/cut off/);
  });

  it('a hangup that overtook call.answered (normal_clearing) ends the call as picked up, not as no answer', () => {
    expect(run([{ type: 'hangup', leg: 'vp', cause: 'normal_clearing', answered: true }]).ctx).toMatchObject({ result: 'acknowledged' });
    expect(run([{ type: 'hangup', leg: 'vp', cause: 'timeout' }]).ctx).toMatchObject({ result: 'no_answer' });
  });

  it('the watchdog re-prompts once, then closes politely, then hangs up', () => {
    const { ctx, actions } = run([{ type: 'answered', leg: 'vp' }, { type: 'stall' }, { type: 'stall' }]);
    expect(said(actions)).toEqual(['headline', 'briefing_again', 'apology']);
    expect(ctx).toMatchObject({ state: 'closing', result: 'failed' });
    const last = applyCallEvent(ctx, { type: 'stall' })!;
    expect(commands(last.actions)).toEqual(['hangup:vp']);
    expect(last.ctx.state).toBe('ended');
  });

  it('a failure mid-transfer: both live legs hear an apology, the ringing one is hung up, the alert fails', () => {
    const base = [
      { type: 'answered', leg: 'vp' },
      { type: 'transcript', leg: 'vp', text: 'connect me' },
    ] satisfies CallEvent[];
    const ringing = run([...base, { type: 'failure', reason: 'Telnyx refused speak' }]);
    expect(commands(ringing.actions).slice(-2)).toEqual(['hangup:ae', 'speak:vp']);
    expect(ringing.ctx).toMatchObject({ state: 'closing', result: 'failed', resultReason: 'Telnyx refused speak' });
    const whisper = run([...base, { type: 'amd', leg: 'ae', result: 'human' }, { type: 'failure', reason: 'Telnyx refused bridge' }]);
    expect(commands(whisper.actions).slice(-2)).toEqual(['speak:ae', 'speak:vp']);
    const refusedAgain = applyCallEvent(whisper.ctx, { type: 'failure', reason: 'Telnyx refused speak' })!;
    expect(commands(refusedAgain.actions)).toEqual(['hangup:vp', 'hangup:ae']);
    expect(refusedAgain.ctx).toMatchObject({ state: 'ended', result: 'failed' });
  });
});
