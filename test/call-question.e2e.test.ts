import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCallStack, VP, type CallStack } from './support/call-stack.ts';

const DEAL = '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5';
let s: CallStack;
beforeAll(async () => {
  s = await startCallStack({ aiLatencyMs: 50 });
}, 60_000);
afterAll(async () => s?.close());

describe('a question during the briefing', () => {
  it('is answered from the deal by the model in a sentence, then the menu continues', async () => {
    s.telnyx.setPersona(VP, { answer: 'human', ringMs: 3000, responses: [{ say: "what's the close date?" }, { say: 'got it' }] });
    const id = await s.raiseAlert({ deal_id: DEAL });
    const alert = await s.waitForOutcome(id);
    expect(alert.outcome).toBe('acknowledged');
    const events = alert.timeline.map((t: { event: string }) => t.event);
    expect(events).toContain('vp.question');
    const answer = alert.timeline.find((t: { prompt?: string }) => t.prompt === 'answer');
    expect(answer.text).toMatch(/close/i);
    expect(answer.text).toMatch(/December/);
    const menu = alert.timeline.find((t: { prompt?: string }) => t.prompt === 'menu');
    expect(menu.text).toMatch(/^Anything else\? Say "connect me"/);
    expect(s.transcript()).toEqual([
      'dial:vp',
      'speak:vp',
      'transcription_start:vp',
      'gather_using_speak:vp',
      'gather_stop:vp',
      'speak:vp',
      'gather_using_speak:vp',
      'gather_stop:vp',
      'speak:vp',
      'hangup:vp',
    ]);
  });
});
