import { describe, expect, it } from 'vitest';
import { newCallContext, type CallContext, type CallEvent } from '../src/call-machine.ts';
import { applyAll } from './support/apply-all.ts';

/*
 * The golden transcripts of test/call-flows.e2e.test.ts as pure transitions: the events Telnyx sends for
 * each persona in, the commands out (the dial itself is the dialer's, not the machine's). A regression in
 * the table shows up here, by name, instead of as an end-to-end timeout.
 */
type Step = CallEvent;
const vp = 'vp' as const;
const ae = 'ae' as const;
const answered = (leg: 'vp' | 'ae'): Step => ({ type: 'answered', leg });
const human = (leg: 'vp' | 'ae'): Step => ({ type: 'amd', leg, result: 'human' });
const speakEnded = (leg: 'vp' | 'ae', status = 'completed'): Step => ({ type: 'speak_ended', leg, status });
const gatherEnded = (leg: 'vp' | 'ae', digits: string, status = digits ? 'valid' : 'timeout'): Step => ({
  type: 'gather_ended',
  leg,
  digits,
  status,
});
const said = (leg: 'vp' | 'ae', text: string): Step => ({ type: 'transcript', leg, text });
const hangup = (leg: 'vp' | 'ae', cause = 'normal_clearing'): Step => ({ type: 'hangup', leg, cause });

function replay(events: Step[], aeKnown = true): { ctx: CallContext; commands: string[]; result: string | null } {
  const { ctx, actions } = applyAll(newCallContext(aeKnown), events);
  const commands = actions.flatMap((a) => {
    switch (a.do) {
      case 'gather':
        return [`gather_using_speak:${a.leg}`];
      case 'answer':
        return [`speak:${a.leg}`];
      case 'dial_ae':
        return ['dial:ae'];
      case 'bridge':
        return ['bridge:vp'];
      case 'note':
      case 'finish':
      case 'outcome':
      case 'snooze':
        return [];
      default:
        return [`${a.do}:${a.leg}`];
    }
  });
  return { ctx, commands, result: ctx.result };
}

const BRIEF = ['speak:vp', 'transcription_start:vp', 'gather_using_speak:vp'];
const TO_AE = ['speak:vp', 'dial:ae', 'transcription_start:ae', 'gather_using_speak:ae'];
const BRIDGE = ['transcription_stop:ae', 'transcription_stop:vp', 'bridge:vp'];
const toBriefing = [answered(vp), human(vp), speakEnded(vp)];
const aeAnswers = [answered(ae), human(ae)];

describe('golden transcripts as pure transitions', () => {
  it('VP says "connect me", AE presses 1: whisper, then bridge', () => {
    const r = replay([
      ...toBriefing,
      said(vp, 'connect me'),
      gatherEnded(vp, '', 'cancelled'),
      speakEnded(vp),
      ...aeAnswers,
      gatherEnded(ae, '1'),
      { type: 'bridged', leg: vp },
      { type: 'bridged', leg: ae },
      hangup(vp),
    ]);
    expect(r.commands).toEqual([...BRIEF, 'gather_stop:vp', ...TO_AE, ...BRIDGE, 'hangup:ae']);
    expect(r.result).toBe('connected');
  });

  it('VP presses 1, AE says yes', () => {
    const r = replay([...toBriefing, gatherEnded(vp, '1'), ...aeAnswers, said(ae, 'yes'), { type: 'bridged', leg: vp }, hangup(ae)]);
    expect(r.commands).toEqual([...BRIEF, ...TO_AE, 'gather_stop:ae', ...BRIDGE, 'hangup:vp']);
    expect(r.result).toBe('connected');
  });

  it('nobody answers: no_answer, nothing sent', () => {
    const r = replay([hangup(vp, 'timeout')]);
    expect(r.commands).toEqual([]);
    expect(r.result).toBe('no_answer');
  });

  it('voicemail: waits for the greeting, leaves the message, hangs up when it has played', () => {
    const r = replay([
      answered(vp),
      { type: 'amd', leg: vp, result: 'machine' },
      speakEnded(vp, 'cancelled_amd'),
      { type: 'greeting_ended', leg: vp },
      speakEnded(vp),
    ]);
    expect(r.commands).toEqual(['speak:vp', 'transcription_start:vp', 'transcription_stop:vp', 'speak:vp', 'hangup:vp']);
    expect(r.ctx).toMatchObject({ result: 'voicemail', resultReason: 'message left' });
  });

  it('AE busy: the VP hears it, ae_unavailable', () => {
    const r = replay([...toBriefing, gatherEnded(vp, '1'), hangup(ae, 'user_busy'), speakEnded(vp), speakEnded(vp)]);
    expect(r.commands).toEqual([...BRIEF, 'speak:vp', 'dial:ae', 'speak:vp', 'hangup:vp']);
    expect(r.result).toBe('ae_unavailable');
  });

  it('AE declines with 2: the AE leg is hung up and the VP told', () => {
    const r = replay([
      ...toBriefing,
      said(vp, 'connect me'),
      gatherEnded(vp, '', 'cancelled'),
      ...aeAnswers,
      gatherEnded(ae, '2'),
      speakEnded(vp),
      speakEnded(vp),
    ]);
    expect(r.commands).toEqual([...BRIEF, 'gather_stop:vp', ...TO_AE, 'hangup:ae', 'speak:vp', 'hangup:vp']);
    expect(r.result).toBe('ae_unavailable');
  });

  it('AE voicemail: hung up, the VP told', () => {
    const r = replay([
      ...toBriefing,
      said(vp, 'connect me'),
      answered(ae),
      { type: 'amd', leg: ae, result: 'machine' },
      speakEnded(vp),
      speakEnded(vp),
    ]);
    expect(r.commands).toEqual([...BRIEF, 'gather_stop:vp', 'speak:vp', 'dial:ae', 'hangup:ae', 'speak:vp', 'hangup:vp']);
    expect(r.result).toBe('ae_unavailable');
  });

  it('VP hangs up while the AE rings: the AE leg is hung up', () => {
    const r = replay([...toBriefing, said(vp, 'connect me'), hangup(vp)]);
    expect(r.commands).toEqual([...BRIEF, 'gather_stop:vp', 'speak:vp', 'dial:ae', 'hangup:ae']);
    expect(r.result).toBe('acknowledged');
  });

  it('"repeat" plays the briefing again, then "connect me" connects', () => {
    const r = replay([
      ...toBriefing,
      said(vp, 'can you repeat that'),
      gatherEnded(vp, '', 'cancelled'),
      said(vp, 'connect me'),
      gatherEnded(vp, '', 'cancelled'),
      ...aeAnswers,
      gatherEnded(ae, '1'),
      { type: 'bridged', leg: vp },
    ]);
    expect(r.commands).toEqual([...BRIEF, 'gather_stop:vp', 'gather_using_speak:vp', 'gather_stop:vp', ...TO_AE, ...BRIDGE]);
    expect(r.ctx.state).toBe('bridged');
  });

  it('"remind me later" snoozes', () => {
    const r = replay([...toBriefing, said(vp, 'remind me later'), gatherEnded(vp, '', 'cancelled'), speakEnded(vp)]);
    expect(r.commands).toEqual([...BRIEF, 'gather_stop:vp', 'speak:vp', 'hangup:vp']);
    expect(r.result).toBe('snoozed');
  });

  it('"got it" acknowledges', () => {
    const r = replay([...toBriefing, said(vp, 'got it'), gatherEnded(vp, '', 'cancelled'), speakEnded(vp)]);
    expect(r.commands).toEqual([...BRIEF, 'gather_stop:vp', 'speak:vp', 'hangup:vp']);
    expect(r.result).toBe('acknowledged');
  });

  it('silence: the briefing is repeated once, then acknowledged by timeout', () => {
    const r = replay([...toBriefing, gatherEnded(vp, ''), gatherEnded(vp, ''), speakEnded(vp)]);
    expect(r.commands).toEqual([...BRIEF, 'gather_using_speak:vp', 'speak:vp', 'hangup:vp']);
    expect(r.ctx).toMatchObject({ result: 'acknowledged', resultReason: 'no answer to the briefing (timeout)' });
  });

  it('every golden stays the same when the prompt ends arrive before the next event or after it', () => {
    // A gather_stop's cancelled end arriving after the next prompt was sent changes nothing.
    const early = replay([...toBriefing, said(vp, 'got it'), gatherEnded(vp, '', 'cancelled'), speakEnded(vp)]);
    const late = replay([...toBriefing, said(vp, 'got it'), speakEnded(vp), gatherEnded(vp, '', 'cancelled')]);
    expect(late.commands).toEqual(early.commands);
    expect(late.result).toBe(early.result);
  });
});
