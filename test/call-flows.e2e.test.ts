import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { personas, TELNYX_MODE_MATRIX, type TelnyxModes } from '@dda/sandbox/telnyx-sim';
import { AE, startCallStack, VP, type CallStack, type Persona } from './support/call-stack.ts';

let s: CallStack;
beforeAll(async () => {
  // A little slower than the other stacks: these transcripts are exact, and on a busy machine a 20 ms ring
  // timeout or machine verdict can be overtaken by our own processing.
  s = await startCallStack({ timeScale: 0.04 });
}, 60_000);
afterAll(async () => s?.close());
beforeEach(() => {
  s.telnyx.commands.length = 0;
  s.printed.length = 0;
});

async function run(vp: Persona, ae: Persona = personas.aeAccepts) {
  s.telnyx.setPersona(VP, vp);
  s.telnyx.setPersona(AE, ae);
  const id = await s.raiseAlert();
  const alert = await s.waitForOutcome(id);
  await s.telnyx.whenIdle({ minCalls: 1, timeoutMs: 20_000 });
  return { alert, transcript: s.transcript() };
}

const BRIEF = ['dial:vp', 'speak:vp', 'transcription_start:vp', 'gather_using_speak:vp'];
const TO_AE = ['speak:vp', 'dial:ae', 'transcription_start:ae', 'gather_using_speak:ae'];
const BRIDGE = ['transcription_stop:ae', 'transcription_stop:vp', 'bridge:vp'];

/*
 * The same commands and outcomes whichever way Telnyx behaves where its docs leave it open (docs/vendor-facts.md):
 * every persona runs as the simulator behaves by default, under each unconfirmed behaviour turned the other
 * way on its own, and under all of them at once; the test names name the modes. The fault modes (a dropped
 * webhook, a 422 on a named command) change the transcript by design: test/telnyx-reality.e2e.test.ts.
 */
const { default: defaults, ...unconfirmed } = TELNYX_MODE_MATRIX;
const CONFIGURATIONS: Array<[string, TelnyxModes]> = [
  ['default', defaults],
  ...(Object.entries(unconfirmed) as Array<[string, TelnyxModes]>),
  [Object.keys(unconfirmed).join(' + '), Object.assign({}, ...Object.values(unconfirmed)) as TelnyxModes],
];
describe.each(CONFIGURATIONS)(
  'golden transcripts under Telnyx mode %s: the exact commands and the outcome for each persona',
  (_mode, modes) => {
    beforeAll(() => s.telnyx.setModes(modes));

    it('VP says "connect me", AE presses 1: whisper, then bridge', async () => {
      const { alert, transcript } = await run(personas.vpSaysConnect);
      expect(transcript).toEqual([...BRIEF, 'gather_stop:vp', ...TO_AE, ...BRIDGE]);
      expect(alert.outcome).toBe('connected');
      const events = alert.timeline.map((t: { event: string }) => t.event);
      expect(events).toEqual(
        expect.arrayContaining([
          'call.dialing',
          'vp.answered',
          'vp.intent',
          'ae.dialing',
          'ae.human',
          'ae.accepted',
          'bridged',
          'call.ended',
          'alert.outcome',
        ]),
      );
      const said = alert.timeline.filter((t: { event: string }) => t.event === 'said').map((t: { text: string }) => t.text);
      expect(said[0]).toMatch(/Northwind Traders.*one hundred eighty-five thousand dollars/);
      expect(said.some((t: string) => /Connecting you to Dana Whitfield/.test(t))).toBe(true);
      expect(said.some((t: string) => /Press 1 or say yes/.test(t))).toBe(true);
    });

    it('VP presses 1, AE says yes', async () => {
      const { alert, transcript } = await run(personas.vpPressesOne, personas.aeSaysYes);
      expect(transcript).toEqual([...BRIEF, ...TO_AE, 'gather_stop:ae', ...BRIDGE]);
      expect(alert.outcome).toBe('connected');
    });

    it('nobody answers: the VP is retried, then the alert ends no_answer', async () => {
      const { alert, transcript } = await run(personas.vpNoAnswer);
      expect(transcript).toEqual(['dial:vp', 'dial:vp']);
      expect(alert.outcome).toBe('no_answer');
      expect(alert.timeline.filter((t: { event: string }) => t.event === 'call.dialing')).toHaveLength(2);
    });

    it('voicemail: waits for the greeting, leaves a message naming the deal, hangs up, counts as not reached', async () => {
      const { alert, transcript } = await run(personas.vpVoicemail);
      const once = ['dial:vp', 'speak:vp', 'transcription_start:vp', 'transcription_stop:vp', 'speak:vp', 'hangup:vp'];
      // The machine's verdict (70 ms scaled) normally beats the headline's end; on a loaded machine the briefing
      // gather can start first, and is then stopped. Either way the message follows the greeting, then the hangup.
      const late = [
        'dial:vp',
        'speak:vp',
        'transcription_start:vp',
        'gather_using_speak:vp',
        'transcription_stop:vp',
        'gather_stop:vp',
        'speak:vp',
        'hangup:vp',
      ];
      // Webhook order is not guaranteed: when the verdict is applied before call.answered, no headline is spoken.
      const verdictFirst = ['dial:vp', 'speak:vp', 'hangup:vp'];
      const attempts = transcript
        .join(' ')
        .split(/ (?=dial:vp)/)
        .map((a) => a.split(' '));
      expect(attempts).toHaveLength(2);
      for (const a of attempts) expect([once, late, verdictFirst]).toContainEqual(a);
      expect(alert.outcome).toBe('voicemail');
      const message = alert.timeline.find((t: { prompt?: string }) => t.prompt === 'voicemail');
      expect(message.text).toMatch(/Platform Expansion FY26/);
    });

    it('AE busy: the VP hears it, the alert records ae_unavailable', async () => {
      const { alert, transcript } = await run(personas.vpPressesOne, personas.aeBusy);
      expect(transcript).toEqual([...BRIEF, 'speak:vp', 'dial:ae', 'speak:vp', 'hangup:vp']);
      expect(alert.outcome).toBe('ae_unavailable');
    });

    it('AE declines with 2: the AE leg is hung up and the VP told', async () => {
      const { alert, transcript } = await run(personas.vpSaysConnect, personas.aeDeclines);
      expect(transcript).toEqual([...BRIEF, 'gather_stop:vp', ...TO_AE, 'hangup:ae', 'speak:vp', 'hangup:vp']);
      expect(alert.outcome).toBe('ae_unavailable');
      expect(alert.outcome_reason).toMatch(/declined/);
    });

    it('AE voicemail: hung up, the VP told', async () => {
      const { alert, transcript } = await run(personas.vpSaysConnect, personas.aeVoicemail);
      expect(transcript).toEqual([...BRIEF, 'gather_stop:vp', 'speak:vp', 'dial:ae', 'hangup:ae', 'speak:vp', 'hangup:vp']);
      expect(alert.outcome).toBe('ae_unavailable');
    });

    it('VP hangs up while the AE rings: the AE leg is hung up', async () => {
      const { alert, transcript } = await run(personas.vpHangsUpWhileAeRings, personas.aeNoAnswer);
      expect(transcript).toEqual([...BRIEF, 'gather_stop:vp', 'speak:vp', 'dial:ae', 'hangup:ae']);
      expect(alert.outcome).toBe('acknowledged');
    });

    it('"repeat" plays the briefing again, then "connect me" connects', async () => {
      const { alert, transcript } = await run(personas.vpSaysRepeatThenConnect);
      expect(transcript).toEqual([...BRIEF, 'gather_stop:vp', 'gather_using_speak:vp', 'gather_stop:vp', ...TO_AE, ...BRIDGE]);
      expect(alert.outcome).toBe('connected');
    });

    it('"remind me later" snoozes', async () => {
      const { alert, transcript } = await run(personas.vpSnoozes);
      expect(transcript).toEqual([...BRIEF, 'gather_stop:vp', 'speak:vp', 'hangup:vp']);
      expect(alert.outcome).toBe('snoozed');
    });

    it('"got it" acknowledges', async () => {
      const { alert, transcript } = await run(personas.vpDismisses);
      expect(transcript).toEqual([...BRIEF, 'gather_stop:vp', 'speak:vp', 'hangup:vp']);
      expect(alert.outcome).toBe('acknowledged');
    });

    it('silence: the briefing is repeated once, then the alert is acknowledged by timeout', async () => {
      const { alert, transcript } = await run(personas.vpSilent);
      expect(transcript).toEqual([...BRIEF, 'gather_using_speak:vp', 'speak:vp', 'hangup:vp']);
      expect(alert.outcome).toBe('acknowledged');
      expect(alert.outcome_reason).toMatch(/timeout/);
    });
  },
);
