import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callerEntersPin, personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { AE, startCallStack, VP, type CallStack } from './support/call-stack.ts';

/*
 * Golden transcripts of calls *to* us: the real services against the Telnyx simulator, which rings our
 * number from a person whose persona decides what they key. INBOUND_PIN is set for the whole stack: a caller
 * attested A by STIR/SHAKEN skips it, an unattested one keys it.
 */
const OUR_NUMBER = '+15550100000';
const PIN = '2468';
const STRANGER = '+15550199999';
let s: CallStack;

beforeAll(async () => {
  s = await startCallStack({ timeScale: 0.04, env: { INBOUND_PIN: PIN, TELNYX_PHONE_NUMBER: OUR_NUMBER } });
}, 60_000);
afterAll(async () => s?.close());
beforeEach(() => {
  s.telnyx.commands.length = 0;
});

/** An alert the VP missed: nobody answered either ring, so it is open to a call back. */
async function missedAlert(): Promise<string> {
  s.telnyx.setPersona(VP, personas.vpNoAnswer);
  const id = await s.raiseAlert();
  const alert = await s.waitForOutcome(id);
  expect(alert.outcome).toBe('no_answer');
  return id;
}

/** The commands sent on the caller's leg, in order, and the words spoken on it. */
function callerLeg(ccid: string): { transcript: string[]; heard: string[] } {
  const mine = s.telnyx.commands.filter((c) => !c.duplicate && c.callControlId === ccid);
  return {
    transcript: mine.map((c) => c.action),
    heard: mine.map((c) => String(c.body?.payload ?? '')).filter(Boolean),
  };
}

async function legEnded(ccid: string): Promise<void> {
  await waitUntil(
    async () => (s.telnyx.calls().find((c) => c.callControlId === ccid && c.state === 'ended') ? true : undefined),
    20_000,
    'the caller leg to end',
  );
}

describe('call back: a recipient rings our number', () => {
  it('a known caller (attested A) hears their open alert and "connect me" warm-transfers to the AE', async () => {
    const id = await missedAlert();
    s.telnyx.setPersona(AE, personas.aeAccepts);
    const call = s.telnyx.incomingCall({
      from: VP,
      to: OUR_NUMBER,
      webhookUrl: `${s.base}/webhooks/voice`,
      attestation: 'A',
      persona: { responses: [{ press: '1' }], talkMs: 20_000 },
    });
    const alert = await waitUntil(async () => {
      const a = await s.alert(id);
      return a.outcome === 'connected' && a.status === 'completed' ? a : undefined;
    }, 30_000);
    const { transcript, heard } = callerLeg(call.callControlId);
    expect(transcript).toEqual(['answer', 'speak', 'transcription_start', 'gather_using_speak', 'speak', 'transcription_stop', 'bridge']);
    expect(heard[0]).toMatch(/^You have one open deal alert\. .*Northwind Traders/);
    expect(heard.some((t) => /Connecting you to Dana Whitfield/.test(t))).toBe(true);
    const ae = s.telnyx.commands.filter((c) => !c.duplicate && c.action === 'dial').map((c) => c.to);
    expect(ae).toContain(AE);
    const events = alert.timeline.map((t: { event: string }) => t.event);
    expect(events).toEqual(expect.arrayContaining(['callback.heard', 'ae.accepted', 'bridged', 'talk.ended']));
    expect(alert.outcome_reason).toMatch(/call back/);
  }, 60_000);

  it('an unknown caller is rejected before a word is said, and hears no deal', async () => {
    await missedAlert();
    const call = s.telnyx.incomingCall({ from: STRANGER, to: OUR_NUMBER, webhookUrl: `${s.base}/webhooks/voice`, attestation: 'A' });
    await legEnded(call.callControlId);
    const { transcript, heard } = callerLeg(call.callControlId);
    expect(transcript).toEqual(['reject']);
    expect(heard).toEqual([]);
  }, 60_000);

  it('a known caller without attestation keys the PIN first; the deal is heard only after it', async () => {
    const id = await missedAlert();
    const call = s.telnyx.incomingCall({
      from: VP,
      to: OUR_NUMBER,
      webhookUrl: `${s.base}/webhooks/voice`,
      attestation: null,
      persona: callerEntersPin(PIN, { afterwards: [{ press: '9' }] }),
    });
    const alert = await waitUntil(async () => {
      const a = await s.alert(id);
      return a.outcome === 'acknowledged' ? a : undefined;
    }, 30_000);
    await legEnded(call.callControlId);
    const { transcript, heard } = callerLeg(call.callControlId);
    // The PIN's gather, then the alert; a key that straggles in after the PIN's # may cost one repeat of the menu.
    expect(transcript.slice(0, 5)).toEqual(['answer', 'gather_using_speak', 'speak', 'transcription_start', 'gather_using_speak']);
    expect(transcript.slice(5)).toSatisfy((rest: string[]) => ['speak,hangup', 'gather_using_speak,speak,hangup'].includes(rest.join(',')));
    expect(heard[0]).toMatch(/key your PIN/);
    expect(heard[0]).not.toMatch(/Northwind|Platform|Dana/);
    expect(heard[1]).toMatch(/Northwind Traders/);
    expect(alert.timeline.some((t: { event: string }) => t.event === 'callback.heard')).toBe(true);
  }, 60_000);

  it('a wrong PIN twice ends the call having heard no deal, and changes nothing', async () => {
    const id = await missedAlert();
    const call = s.telnyx.incomingCall({
      from: VP,
      to: OUR_NUMBER,
      webhookUrl: `${s.base}/webhooks/voice`,
      persona: { responses: [{ press: '1111#' }, { press: '2222#' }] },
    });
    await legEnded(call.callControlId);
    const { transcript, heard } = callerLeg(call.callControlId);
    expect(transcript).toEqual(['answer', 'gather_using_speak', 'gather_using_speak', 'speak', 'hangup']);
    for (const words of heard) expect(words).not.toMatch(/Northwind|Platform|Dana|185|thousand/);
    expect((await s.alert(id)).outcome).toBe('no_answer');
  }, 60_000);
});
