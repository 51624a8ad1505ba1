import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { startCallStack, VP, type CallStack } from './support/call-stack.ts';

/*
 * The text to a VP the calls did not reach, end to end: the real services, the Telnyx simulator taking the
 * POST /v2/messages and sending signed delivery webhooks back to /webhooks/messaging.
 */
const OUR_NUMBER = '+15550100000';
let s: CallStack;

beforeAll(async () => {
  s = await startCallStack({
    withBriefingWorker: true,
    timeScale: 0.03,
    env: { TELNYX_MESSAGING_PROFILE_ID: 'test-profile', TELNYX_PHONE_NUMBER: OUR_NUMBER, CALL_RETRY_DELAY_SECONDS: '1' },
  });
}, 90_000);
afterAll(async () => s?.close());

const textsTo = (n: string) => s.telnyx.messages().filter((m) => m.to === n);
const events = async (id: string, name: string) =>
  (await s.alert(id)).timeline.filter((t: { event: string }) => t.event === name) as Record<string, any>[];

/** No answer on the first ring, the voicemail on the retry. */
async function missedThenVoicemail(): Promise<string> {
  s.telnyx.setPersona(VP, personas.vpNoAnswer);
  const id = await s.raiseAlert();
  await waitUntil(async () => ((await events(id, 'retry.scheduled')).length ? true : undefined), 20_000, 'the retry');
  s.telnyx.setPersona(VP, personas.vpVoicemail);
  const alert = await s.waitForOutcome(id, 30_000);
  expect(alert.outcome).toBe('voicemail');
  expect((await events(id, 'call.ended')).map((t) => t.result)).toEqual(['no_answer', 'voicemail']);
  return id;
}

describe('SMS follow-up: one text to each recipient not reached', () => {
  it('no answer, then voicemail: exactly one text to the VP, GSM-7 in at most two parts, naming our number; delivery lands on the timeline', async () => {
    s.telnyx.setModes({ messages: 'delivered' });
    const before = textsTo(VP).length;
    const id = await missedThenVoicemail();
    const delivered = await waitUntil(
      async () => (await events(id, 'sms.delivery')).find((t) => t.status === 'delivered'),
      20_000,
      'the delivery',
    );
    expect(delivered.recipient).toBe('vp');
    const texts = textsTo(VP).slice(before);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.from).toBe(OUR_NUMBER);
    expect(texts[0]!.encoding).toBe('GSM-7');
    expect(texts[0]!.parts).toBeLessThanOrEqual(2);
    expect(texts[0]!.text).toMatch(/Northwind Traders/);
    expect(texts[0]!.text).toContain(OUR_NUMBER);
    expect(await events(id, 'sms.sent')).toHaveLength(1);

    // The follow-up redelivered five times: still one text.
    const { scheduleFollowUp, createQueues, closeQueues } = await import('@dda/queues');
    const queues = createQueues(s.redis, s.prefix);
    for (let i = 0; i < 5; i++) await scheduleFollowUp(queues, id, 'voicemail');
    await closeQueues(queues);
    await new Promise((r) => setTimeout(r, 1000));
    expect(textsTo(VP).slice(before)).toHaveLength(1);
  }, 60_000);

  it('Telnyx takes the text but answers 500: it is not sent again, and the alert says it may not have arrived', async () => {
    s.telnyx.setModes({ messages: 'server_error_after_accept' });
    const before = textsTo(VP).length;
    const id = await missedThenVoicemail();
    const failed = await waitUntil(async () => (await events(id, 'sms.failed'))[0], 20_000, 'sms.failed');
    expect(failed.outcome_unknown).toBe(true);
    await new Promise((r) => setTimeout(r, 3000));
    expect(textsTo(VP).slice(before)).toHaveLength(1);
  }, 60_000);

  it('a reached VP gets no text', async () => {
    s.telnyx.setModes({ messages: 'delivered' });
    s.telnyx.setPersona(VP, personas.vpDismisses);
    const before = textsTo(VP).length;
    const id = await s.raiseAlert();
    await s.waitForOutcome(id);
    await waitUntil(
      async () => ((await events(id, 'note.written')).length || (await events(id, 'note.skipped')).length ? true : undefined),
      20_000,
    );
    expect(textsTo(VP).slice(before)).toHaveLength(0);
  }, 60_000);
});
