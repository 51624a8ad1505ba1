import { afterEach, describe, expect, it } from 'vitest';
import { commandId, createCallCommands, generateWebhookKeyPair, telnyxErrorCode } from '@dda/telnyx';
import {
  createTelnyxSimulator,
  createWebhookCollector,
  personas,
  TELNYX_MODE_MATRIX,
  type CollectedWebhook,
  type Persona,
  type TelnyxModes,
} from '../src/telnyx-sim/index.ts';
import { withIds } from './dialed-leg.ts';

// Each simulator mode (TELNYX_MODE_MATRIX and the per-test scenarios) against the official SDK and a
// verifying webhook receiver; test names name the mode.
const VP = '+14155550101';
const AE = '+14155550102';
const FROM = '+14155550199';
const keys = generateWebhookKeyPair();
const b64 = (s: string) => Buffer.from(s).toString('base64');
// Long enough to still be playing when the next command arrives (~1.2 ms a character at this time scale).
const LONG = 'This is a long prompt that keeps playing for a while. '.repeat(8);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

let n = 0;
const cid = (what: string) => commandId('modes-test', `${what}-${n++}`);

async function setup(modes: TelnyxModes, persona: Persona = { answer: 'human', ringMs: 500, hangupAfterIdleMs: 100_000 }) {
  const hooks = await createWebhookCollector({ publicKey: keys.publicKey });
  const sim = await createTelnyxSimulator({
    apiKey: 'KEY_TEST',
    privateKey: keys.privateKey,
    timeScale: 0.02,
    personas: { [VP]: persona, [AE]: { answer: 'human', ringMs: 500, hangupAfterIdleMs: 100_000 } },
    names: { [VP]: 'VP', [AE]: 'AE' },
    modes,
  });
  cleanups.push(async () => {
    await sim.close();
    await hooks.close();
  });
  const cmd = createCallCommands({ apiKey: 'KEY_TEST', baseURL: sim.url, timeoutMs: 2000, maxRetries: 2 });
  const dial = async (to = VP, extra: Record<string, unknown> = {}) =>
    withIds(await cmd.dial({ connection_id: 'c', from: FROM, to, webhook_url: hooks.url, command_id: cid('dial'), ...extra }));
  const of = (legId: string, type: string) => (w: CollectedWebhook) =>
    w.event.data.event_type === type && w.event.data.payload.call_leg_id === legId;
  const all = (legId: string, type: string) => hooks.received.filter(of(legId, type));
  async function answered(to = VP) {
    const leg = await dial(to);
    await hooks.waitFor(of(leg.callLegId, 'call.answered'));
    return leg;
  }
  const speak = (id: string, payload: string, extra: Record<string, unknown> = {}) =>
    cmd.speak(id, { payload, voice: 'female', command_id: cid('speak'), ...extra });
  const gather = (id: string, payload: string, extra: Record<string, unknown> = {}) =>
    cmd.gatherUsingSpeak(id, { payload, voice: 'female', maximum_digits: 1, command_id: cid('gather'), ...extra });
  const hangup = (id: string) => cmd.hangup(id, { command_id: cid('hangup') });
  const raw = (path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer KEY_TEST', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { hooks, sim, cmd, dial, of, all, answered, speak, gather, hangup, raw };
}
const stateOf = (w: CollectedWebhook) => decodeClientStateRaw(w.event.data.payload.client_state);
const decodeClientStateRaw = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : null);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('telnyx simulator modes: client_state echo', () => {
  it('clientStateEcho command (default): an earlier speak.ended carries its own client_state', async () => {
    const env = await setup(TELNYX_MODE_MATRIX.default);
    const leg = await env.answered();
    await env.speak(leg.callControlId, LONG, { client_state: b64('first') }); // still playing at the next
    await env.speak(leg.callControlId, 'Second prompt.', { client_state: b64('second') });
    await env.hooks.waitFor(
      (w) => env.all(leg.callLegId, 'call.speak.ended').length === 2 && w.event.data.event_type === 'call.speak.ended',
    );
    expect(env.all(leg.callLegId, 'call.speak.ended').map(stateOf)).toEqual(['first', 'second']);
    await env.hangup(leg.callControlId);
  });

  it("clientStateEcho leg (leg-wide-client-state): the first speak.ended carries the later command's state", async () => {
    const env = await setup(TELNYX_MODE_MATRIX['leg-wide-client-state']);
    const leg = await env.dial(VP, { client_state: b64('dial') });
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.answered'));
    await env.speak(leg.callControlId, LONG, { client_state: b64('first') }); // still playing at the next
    await env.speak(leg.callControlId, 'Second prompt.', { client_state: b64('second') });
    await env.hooks.waitFor(() => env.all(leg.callLegId, 'call.speak.ended').length === 2);
    expect(env.all(leg.callLegId, 'call.speak.ended').map(stateOf)).toEqual(['second', 'second']);
    // client_state_update replaces it too, for every later webhook of the leg (the hangup included).
    const put = await fetch(`${env.sim.url}/calls/${encodeURIComponent(leg.callControlId)}/actions/client_state_update`, {
      method: 'PUT',
      headers: { authorization: 'Bearer KEY_TEST', 'content-type': 'application/json' },
      body: JSON.stringify({ client_state: b64('updated') }),
    });
    expect(put.status).toBe(200);
    await env.cmd.hangup(leg.callControlId, { command_id: cid('hangup') });
    const hangup = await env.hooks.waitFor(env.of(leg.callLegId, 'call.hangup'));
    expect(stateOf(hangup)).toBe('updated');
  });
});

describe('telnyx simulator modes: the audio queue', () => {
  it('queues consecutive speaks: the second starts when the first ends', async () => {
    const env = await setup({});
    const leg = await env.answered();
    await env.speak(leg.callControlId, LONG);
    await env.speak(leg.callControlId, 'Then this.');
    await env.hooks.waitFor(() => env.all(leg.callLegId, 'call.speak.ended').length === 2);
    const [a, b] = env.sim.audioTimeline().filter((e) => e.callControlId === leg.callControlId);
    expect(a).toMatchObject({ kind: 'speak', status: 'completed', label: 'VP' });
    expect(b!.startedAt! - a!.endedAt!).toBeLessThan(30);
    expect(a!.endedAt! - a!.startedAt!).toBeGreaterThan(300);
    await env.hangup(leg.callControlId);
  });

  it("stop: 'current' cuts what plays (speak.ended completed, early), the queue goes on", async () => {
    const env = await setup({});
    const leg = await env.answered();
    await env.speak(leg.callControlId, LONG, { client_state: b64('long') });
    await env.speak(leg.callControlId, 'Queued.', { client_state: b64('queued') });
    await sleep(50);
    await env.speak(leg.callControlId, 'Connecting you now.', { stop: 'current', client_state: b64('cutter') });
    await env.hooks.waitFor(() => env.all(leg.callLegId, 'call.speak.ended').length === 3);
    const ended = env.all(leg.callLegId, 'call.speak.ended');
    expect(ended.map(stateOf)).toEqual(['long', 'queued', 'cutter']);
    expect(ended.map((w) => w.event.data.payload['status'])).toEqual(['completed', 'completed', 'completed']);
    const [long, queued, cutter] = env.sim.audioTimeline();
    expect(long!.status).toBe('cut');
    expect(long!.endedAt! - long!.startedAt!).toBeLessThan(200);
    expect(queued!.status).toBe('completed');
    expect(cutter!.startedAt!).toBeGreaterThanOrEqual(queued!.endedAt!);
    await env.hangup(leg.callControlId);
  });

  it("stop: 'all' cuts what plays and everything queued; the new prompt starts at once", async () => {
    const env = await setup({});
    const leg = await env.answered();
    await env.speak(leg.callControlId, LONG);
    await env.speak(leg.callControlId, LONG);
    await sleep(50);
    const sentAt = Date.now();
    await env.speak(leg.callControlId, 'Connecting you now.', { stop: 'all' });
    await env.hooks.waitFor(() => env.all(leg.callLegId, 'call.speak.ended').length === 2);
    const [first, second, now] = env.sim.audioTimeline();
    expect(first!.status).toBe('cut');
    expect(second).toMatchObject({ status: 'cut' });
    expect(second!.startedAt).toBeUndefined(); // never played, so no speak.started / speak.ended of its own
    expect(now!.startedAt! - sentAt).toBeLessThan(100);
    expect(env.all(leg.callLegId, 'call.speak.started')).toHaveLength(2);
    await env.hangup(leg.callControlId);
  });

  it("stop cuts a gather's prompt: the gather ends cancelled", async () => {
    const env = await setup({});
    const leg = await env.answered();
    await env.gather(leg.callControlId, LONG, { client_state: b64('g') });
    await sleep(50);
    await env.speak(leg.callControlId, 'Never mind.', { stop: 'current' });
    const ended = await env.hooks.waitFor(env.of(leg.callLegId, 'call.gather.ended'));
    expect(ended.event.data.payload).toMatchObject({ status: 'cancelled', digits: '' });
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.speak.ended'));
    expect(env.sim.audioTimeline()[0]).toMatchObject({ kind: 'gather', status: 'cancelled' });
    await env.hangup(leg.callControlId);
  });

  it('speak refuses a stop value other than current / all (422)', async () => {
    const env = await setup({});
    const leg = await env.answered();
    const err = await env.speak(leg.callControlId, 'x', { stop: 'everything' }).catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.error.errors[0]).toMatchObject({ code: '10015', source: { pointer: '/stop' } });
    await env.hangup(leg.callControlId);
  });

  it('a hang-up ends the playing speak with call_hangup; queued ones never play', async () => {
    const env = await setup({});
    const leg = await env.answered();
    await env.speak(leg.callControlId, LONG);
    await env.speak(leg.callControlId, LONG);
    await env.hangup(leg.callControlId);
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.hangup'));
    expect(env.all(leg.callLegId, 'call.speak.ended').map((w) => w.event.data.payload['status'])).toEqual(['call_hangup']);
    expect(env.sim.audioTimeline().map((e) => [e.status, e.startedAt !== undefined])).toEqual([
      ['call_hangup', true],
      ['call_hangup', false],
    ]);
  });
});

describe('telnyx simulator modes: AMD and prompts', () => {
  const machine: Persona = { answer: 'machine', ringMs: 500, hangupAfterIdleMs: 100_000 };

  it('amdCancelsPrompts (default): the machine verdict cancels the prompt playing (cancelled_amd)', async () => {
    const env = await setup({}, machine);
    const leg = await env.dial(VP, { answering_machine_detection: 'detect' });
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.answered'));
    await env.speak(leg.callControlId, LONG.repeat(3));
    const ended = await env.hooks.waitFor(env.of(leg.callLegId, 'call.speak.ended'));
    expect(ended.event.data.payload['status']).toBe('cancelled_amd');
    const amd = env.hooks.received.find((w) => w.event.data.event_type === 'call.machine.detection.ended')!;
    expect(env.hooks.received.indexOf(amd)).toBeLessThan(env.hooks.received.indexOf(ended));
    expect(env.sim.audioTimeline()[0]!.status).toBe('cancelled_amd');
    // The next message plays to its end after the verdict.
    await env.speak(leg.callControlId, 'Voicemail message.');
    await env.hooks.waitFor(() => env.all(leg.callLegId, 'call.speak.ended').length === 2);
    expect(env.sim.audioTimeline()[1]!.status).toBe('completed');
    await env.hangup(leg.callControlId);
  });

  it('amdCancelsPrompts false (amd-keeps-prompts): the prompt plays on through the verdict', async () => {
    const env = await setup(TELNYX_MODE_MATRIX['amd-keeps-prompts'], machine);
    const leg = await env.dial(VP, { answering_machine_detection: 'detect' });
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.answered'));
    await env.speak(leg.callControlId, LONG.repeat(3));
    const ended = await env.hooks.waitFor(env.of(leg.callLegId, 'call.speak.ended'));
    expect(ended.event.data.payload['status']).toBe('completed');
    expect(env.hooks.received.some((w) => w.event.data.event_type === 'call.machine.detection.ended')).toBe(true);
    await env.hangup(leg.callControlId);
  });

  it('a gather playing at the machine verdict ends cancelled_amd', async () => {
    const env = await setup({}, machine);
    const leg = await env.dial(VP, { answering_machine_detection: 'detect' });
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.answered'));
    await env.gather(leg.callControlId, LONG.repeat(3));
    const ended = await env.hooks.waitFor(env.of(leg.callLegId, 'call.gather.ended'));
    expect(ended.event.data.payload['status']).toBe('cancelled_amd');
    await env.hangup(leg.callControlId);
  });
});

describe('telnyx simulator modes: keys and speech', () => {
  const pressDuringSpeak: Persona = {
    answer: 'human',
    ringMs: 500,
    responses: [{ press: '1', during: 'any' }],
    hangupAfterIdleMs: 100_000,
  };

  it('dtmfOutsideGather (default): a key pressed during a plain speak arrives as call.dtmf.received', async () => {
    const env = await setup(TELNYX_MODE_MATRIX.default, pressDuringSpeak);
    const leg = await env.answered();
    await env.speak(leg.callControlId, LONG);
    const dtmf = await env.hooks.waitFor(env.of(leg.callLegId, 'call.dtmf.received'));
    expect(dtmf.event.data.payload['digit']).toBe('1');
    const [press] = env.sim.personaActions();
    const [prompt] = env.sim.audioTimeline();
    expect(press).toMatchObject({ kind: 'press', text: '1', label: 'VP' });
    expect(press!.at).toBeGreaterThan(prompt!.startedAt!);
    expect(press!.at).toBeLessThan(prompt!.endedAt ?? Number.POSITIVE_INFINITY);
    await env.hangup(leg.callControlId);
  });

  it('dtmfOutsideGather false (dtmf-in-gathers-only): the key pressed during a plain speak is lost', async () => {
    const env = await setup(TELNYX_MODE_MATRIX['dtmf-in-gathers-only'], pressDuringSpeak);
    const leg = await env.answered();
    await env.speak(leg.callControlId, LONG);
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.speak.ended'));
    await sleep(100);
    expect(env.all(leg.callLegId, 'call.dtmf.received')).toHaveLength(0);
    expect(env.sim.personaActions().map((a) => a.kind)).toEqual(['press']); // pressed, but nobody heard it
    await env.hangup(leg.callControlId);
  });

  it('dtmf-in-gathers-only: a key pressed during a gather still arrives and ends it', async () => {
    const env = await setup(TELNYX_MODE_MATRIX['dtmf-in-gathers-only'], {
      answer: 'human',
      ringMs: 500,
      responses: [{ press: '1' }],
      hangupAfterIdleMs: 100_000,
    });
    const leg = await env.answered();
    await env.gather(leg.callControlId, LONG);
    const ended = await env.hooks.waitFor(env.of(leg.callLegId, 'call.gather.ended'));
    expect(ended.event.data.payload).toMatchObject({ status: 'valid', digits: '1' });
    expect(env.all(leg.callLegId, 'call.dtmf.received')).toHaveLength(1);
    // The key press cut the gather's own prompt.
    const [entry] = env.sim.audioTimeline();
    expect(entry!.endedAt! - entry!.startedAt!).toBeLessThan(200);
    await env.hangup(leg.callControlId);
  });

  it("a response without during:'any' waits for the next gather; plain speaks pass it by", async () => {
    const env = await setup({}, { answer: 'human', ringMs: 500, responses: [{ press: '7' }], hangupAfterIdleMs: 100_000 });
    const leg = await env.answered();
    await env.speak(leg.callControlId, 'A plain prompt.');
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.speak.ended'));
    await sleep(60);
    expect(env.sim.personaActions()).toHaveLength(0);
    await env.gather(leg.callControlId, 'Press a key.');
    const ended = await env.hooks.waitFor(env.of(leg.callLegId, 'call.gather.ended'));
    expect(ended.event.data.payload).toMatchObject({ status: 'valid', digits: '7' });
    await env.hangup(leg.callControlId);
  });

  it('speech during a gather reaches the app through transcription, on the timeline with the prompt', async () => {
    const env = await setup({}, { answer: 'human', ringMs: 500, responses: [{ say: 'connect me' }], hangupAfterIdleMs: 100_000 });
    const leg = await env.answered();
    await env.cmd.startTranscription(leg.callControlId, { transcription_engine: 'Telnyx', command_id: cid('ts') });
    await env.gather(leg.callControlId, LONG);
    const heard = await env.hooks.waitFor(env.of(leg.callLegId, 'call.transcription'));
    const sentAt = Date.now();
    await env.speak(leg.callControlId, 'Connecting you to Dana.', { stop: 'all' });
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.gather.ended'));
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.speak.ended'));
    const [say] = env.sim.personaActions();
    const connecting = env.sim.audioTimeline().find((e) => e.text.startsWith('Connecting'))!;
    expect(say).toMatchObject({ kind: 'say', text: 'connect me' });
    expect(connecting.startedAt! - say!.at).toBeLessThan(300);
    expect(connecting.startedAt! - sentAt).toBeLessThan(100);
    expect(heard.receivedAt).toBeGreaterThanOrEqual(say!.at);
    await env.hangup(leg.callControlId);
  });
});

describe('telnyx simulator modes: stopping what is not running', () => {
  it('strictStops false (default): gather_stop and transcription_stop with nothing running answer 200', async () => {
    const env = await setup(TELNYX_MODE_MATRIX.default);
    const leg = await env.answered();
    expect(await env.cmd.stopGather(leg.callControlId, { command_id: cid('gs') })).toEqual({ ok: true });
    expect(await env.cmd.stopTranscription(leg.callControlId, { command_id: cid('ts') })).toEqual({ ok: true });
    await env.hangup(leg.callControlId);
  });

  it('strictStops (strict-stops): stopping nothing answers 422; stopping what runs answers 200', async () => {
    const env = await setup(TELNYX_MODE_MATRIX['strict-stops']);
    const leg = await env.answered();
    const g = await env.cmd.stopGather(leg.callControlId, { command_id: cid('gs') }).catch((e) => e);
    expect(g.status).toBe(422);
    expect(telnyxErrorCode(g)).toBe('10015');
    const t = await env.cmd.stopTranscription(leg.callControlId, { command_id: cid('ts') }).catch((e) => e);
    expect(t.status).toBe(422);
    expect(env.sim.rejectedCommands.map((r) => [r.action, r.status])).toEqual([
      ['gather_stop', 422],
      ['transcription_stop', 422],
    ]);
    await env.gather(leg.callControlId, LONG);
    expect(await env.cmd.stopGather(leg.callControlId, { command_id: cid('gs') })).toEqual({ ok: true });
    await env.cmd.startTranscription(leg.callControlId, { transcription_engine: 'Telnyx', command_id: cid('t') });
    expect(await env.cmd.stopTranscription(leg.callControlId, { command_id: cid('ts') })).toEqual({ ok: true });
    await env.hangup(leg.callControlId);
  });
});

describe('telnyx simulator modes: a resent dial', () => {
  it('loseAnswers + duplicateDialAnswer with_ids (default): the SDK resend gets the original ids, one call', async () => {
    const env = await setup(TELNYX_MODE_MATRIX.default);
    env.sim.setFaults({ loseAnswers: { action: 'dial', count: 1 } });
    const leg = await env.dial();
    expect(env.sim.rejectedCommands.map((r) => [r.action, r.status])).toEqual([['dial', 503]]);
    expect(env.sim.commands.filter((c) => c.action === 'dial').map((c) => c.duplicate)).toEqual([false, true]);
    expect(env.sim.calls().map((c) => c.callControlId)).toEqual([leg.callControlId]);
    await env.hangup(leg.callControlId);
  });

  it('duplicateDialAnswer without_ids (dial-answer-without-ids): the resend is ignored and its answer has no ids', async () => {
    const env = await setup(TELNYX_MODE_MATRIX['dial-answer-without-ids']);
    const body = { connection_id: 'c', from: FROM, to: VP, webhook_url: env.hooks.url, command_id: cid('dial') };
    const first = (await (await env.raw('/calls', body)).json()) as { data: Record<string, unknown> };
    const again = await env.raw('/calls', body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ data: { result: 'ok' } });
    expect(env.sim.calls().map((c) => c.callControlId)).toEqual([first.data['call_control_id']]);
    // Through the SDK, a lost answer and its resend leave the caller without ids while the phone rings.
    env.sim.setFaults({ loseAnswers: { action: 'dial', count: 1 } });
    const resent = await env.cmd.dial({ connection_id: 'c', from: FROM, to: AE, webhook_url: env.hooks.url, command_id: cid('dial') });
    expect(resent).toEqual({ callControlId: null, callLegId: null, callSessionId: null });
    expect(env.sim.calls().filter((c) => c.to === AE)).toHaveLength(1);
    for (const c of env.sim.calls()) await env.hangup(c.callControlId);
  });
});

describe('telnyx simulator modes: webhook delivery', () => {
  it('webhookContentType default: application/json', async () => {
    const env = await setup(TELNYX_MODE_MATRIX.default);
    const leg = await env.answered();
    expect(env.hooks.received.every((w) => w.headers['content-type'] === 'application/json')).toBe(true);
    await env.hangup(leg.callControlId);
  });

  it('webhookContentType (charset-webhooks): every webhook carries the charset, still signed', async () => {
    const env = await setup(TELNYX_MODE_MATRIX['charset-webhooks']);
    const leg = await env.answered();
    await env.hangup(leg.callControlId);
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.hangup'));
    expect(env.hooks.received.length).toBeGreaterThanOrEqual(3);
    expect(new Set(env.hooks.received.map((w) => w.headers['content-type']))).toEqual(new Set(['application/json; charset=utf-8']));
    expect(env.hooks.rejected).toHaveLength(0);
  });

  it('hangupOvertakesAnswer (hangup-overtakes-answer): vpPicksUpAndHangsUp delivers call.hangup before call.answered', async () => {
    const env = await setup(TELNYX_MODE_MATRIX['hangup-overtakes-answer'], personas.vpPicksUpAndHangsUp);
    const leg = await env.dial(VP, { answering_machine_detection: 'detect' });
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.answered'));
    const types = env.hooks.received.map((w) => w.event.data.event_type);
    expect(types.slice(0, 3)).toEqual(['call.initiated', 'call.hangup', 'call.answered']);
    const hangup = env.all(leg.callLegId, 'call.hangup')[0]!;
    const answered = env.all(leg.callLegId, 'call.answered')[0]!;
    // The payloads still tell the truth: the hangup happened after the answer.
    expect(Date.parse(hangup.event.data.occurred_at)).toBeGreaterThanOrEqual(Date.parse(answered.event.data.occurred_at));
    expect(hangup.event.data.payload).toMatchObject({ hangup_source: 'callee', hangup_cause: 'normal_clearing' });
  });

  it('vpPicksUpAndHangsUp under default modes: call.answered first, then call.hangup', async () => {
    const env = await setup(TELNYX_MODE_MATRIX.default, personas.vpPicksUpAndHangsUp);
    const leg = await env.dial();
    await env.hooks.waitFor(env.of(leg.callLegId, 'call.hangup'));
    expect(env.hooks.received.map((w) => w.event.data.event_type)).toEqual(['call.initiated', 'call.answered', 'call.hangup']);
  });

  it('dropWebhooks: the next speak.ended to the VP is never delivered, and recorded as dropped', async () => {
    const env = await setup({ dropWebhooks: [{ eventType: 'call.speak.ended', count: 1, to: VP }] });
    const ae = await env.answered(AE);
    const vp = await env.answered(VP);
    await env.speak(ae.callControlId, 'For the AE.');
    await env.speak(vp.callControlId, 'First.');
    await env.speak(vp.callControlId, 'Second.');
    await env.hooks.waitFor(env.of(vp.callLegId, 'call.speak.ended'));
    await env.hooks.waitFor(env.of(ae.callLegId, 'call.speak.ended'));
    await sleep(50);
    expect(env.all(vp.callLegId, 'call.speak.ended')).toHaveLength(1);
    const dropped = env.sim.webhooksSent.filter((s) => s.dropped);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ event_type: 'call.speak.ended', callControlId: vp.callControlId, delivered: false });
    expect(
      env.sim
        .audioTimeline()
        .filter((e) => e.callControlId === vp.callControlId)
        .map((e) => e.status),
    ).toEqual(['completed', 'completed']);
    await env.hangup(vp.callControlId);
    await env.hangup(ae.callControlId);
  });
});

describe('telnyx simulator modes: failCommands', () => {
  it('failCommands: the second speak answers 422 and is not carried out; the third plays', async () => {
    const env = await setup({ failCommands: [{ action: 'speak', after: 1 }] });
    const leg = await env.answered();
    await env.speak(leg.callControlId, 'One.');
    const err = await env.speak(leg.callControlId, 'Two.').catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.error.errors[0]).toMatchObject({ code: '10015' });
    await env.speak(leg.callControlId, 'Three.');
    await env.hooks.waitFor(() => env.all(leg.callLegId, 'call.speak.ended').length === 2);
    expect(env.sim.audioTimeline().map((e) => e.text)).toEqual(['One.', 'Three.']);
    expect(env.sim.rejectedCommands).toMatchObject([{ action: 'speak', status: 422, code: '10015' }]);
    await env.hangup(leg.callControlId);
  });

  it('failCommands on bridge and dial with a chosen code and status; setModes restarts the count', async () => {
    const env = await setup({
      failCommands: [
        { action: 'bridge', code: '90018' },
        { action: 'dial', count: 2, status: 500, code: '10007' },
      ],
    });
    const noSdkRetry = createCallCommands({ apiKey: 'KEY_TEST', baseURL: env.sim.url, maxRetries: 0 });
    const d = await noSdkRetry
      .dial({ connection_id: 'c', from: FROM, to: VP, webhook_url: env.hooks.url, command_id: cid('dial') })
      .catch((e) => e);
    expect(d.status).toBe(500);
    env.sim.setModes({ failCommands: [{ action: 'bridge', code: '90034' }] });
    const vp = await env.answered(VP);
    const ae = await env.answered(AE);
    const b = await env.cmd
      .bridge(vp.callControlId, { call_control_id_to_bridge_with: ae.callControlId, command_id: cid('b') })
      .catch((e) => e);
    expect(telnyxErrorCode(b)).toBe('90034');
    expect(env.sim.calls().every((c) => c.state === 'answered')).toBe(true);
    expect(await env.cmd.bridge(vp.callControlId, { call_control_id_to_bridge_with: ae.callControlId, command_id: cid('b') })).toEqual({
      ok: true,
    });
    await env.hangup(vp.callControlId);
  });
});
