import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandId, createCallCommands, generateWebhookKeyPair, telnyxErrorCode, type CallCommands } from '@dda/telnyx';
import {
  createTelnyxSimulator,
  createWebhookCollector,
  type CollectedWebhook,
  type TelnyxSimulator,
  type WebhookCollector,
} from '../src/telnyx-sim/index.ts';
import { withIds } from './dialed-leg.ts';

const VP = '+14155550101';
const AE = '+14155550102';
const BUSY = '+14155550103';
const REJECT = '+14155550104';
const MACHINE = '+14155550105';
const PRESSER = '+14155550106';
const FROM = '+14155550199';
const keys = generateWebhookKeyPair();
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/telnyx/${name}`, import.meta.url), 'utf8'));
const sorted = (o: object) => Object.keys(o).sort();
const b64 = (s: string) => Buffer.from(s).toString('base64');

let sim: TelnyxSimulator;
let hooks: WebhookCollector;
let cmd: CallCommands;
const lines: string[] = [];
let n = 0;
const cid = (what: string) => commandId('sim-test', `${what}-${n++}`);

beforeAll(async () => {
  hooks = await createWebhookCollector({ publicKey: keys.publicKey });
  sim = await createTelnyxSimulator({
    apiKey: 'KEY_TEST',
    privateKey: keys.privateKey,
    timeScale: 0.04, // margin for a busy machine: the test reacts to events in real time
    personas: {
      [VP]: { answer: 'human', ringMs: 1000, hangupAfterIdleMs: 100_000 },
      [AE]: { answer: 'human', ringMs: 1000, talkMs: 2000 },
      [BUSY]: { answer: 'busy' },
      [REJECT]: { answer: 'reject' },
      [MACHINE]: { answer: 'machine', hangupAfterIdleMs: 100_000 },
      [PRESSER]: { answer: 'human', responses: [{ press: '1' }, { silence: true }, { press: '9#' }, { silence: true }] },
    },
    names: { [VP]: 'VP', [AE]: 'AE' },
    print: (l) => lines.push(l),
  });
  cmd = createCallCommands({ apiKey: 'KEY_TEST', baseURL: sim.url, timeoutMs: 2000 });
});
afterAll(async () => {
  await sim.close();
  await hooks.close();
});
beforeEach(() => sim.setFaults({}));

async function dial(to: string, extra: Record<string, unknown> = {}) {
  return withIds(await cmd.dial({ connection_id: 'conn-1', from: FROM, to, webhook_url: hooks.url, command_id: cid('dial'), ...extra }));
}
const eventOf = (id: string, type: string, extra: (w: CollectedWebhook) => boolean = () => true) =>
  hooks.waitFor((w) => w.event.data.event_type === type && w.event.data.payload.call_leg_id === id && extra(w));
const eventsOf = (legId: string) => hooks.received.filter((w) => w.event.data.payload.call_leg_id === legId);
const typesOf = (legId: string) => eventsOf(legId).map((w) => w.event.data.event_type);

function expectFixtureShape(w: CollectedWebhook) {
  const body = JSON.parse(w.raw);
  const ref = fixture(`${w.event.data.event_type}.json`);
  expect(sorted(body)).toEqual(['data', 'meta']);
  expect(sorted(body.meta)).toEqual(sorted(fixture('envelope.call.initiated.docs.json').meta));
  expect(sorted(body.data), w.event.data.event_type).toEqual(sorted(ref.data));
  expect(sorted(body.data.payload), w.event.data.event_type).toEqual(sorted(ref.data.payload));
}

describe('telnyx simulator: REST side', () => {
  it('answers a dial in the dial.response.json shape', async () => {
    const res = await fetch(`${sim.url}/calls`, {
      method: 'POST',
      headers: { authorization: 'Bearer KEY_TEST', 'content-type': 'application/json' },
      body: JSON.stringify({ connection_id: 'c', from: FROM, to: BUSY, webhook_url: hooks.url, client_state: b64('x') }),
    });
    const body = (await res.json()) as { data: Record<string, unknown> };
    expect(res.status).toBe(200);
    expect(sorted(body.data)).toEqual(sorted(fixture('dial.response.json').data));
    expect(body.data).toMatchObject({ is_alive: true, record_type: 'call', client_state: b64('x') });
  });

  it('refuses a wrong API key with 401 in the Telnyx error shape', async () => {
    const res = await fetch(`${sim.url}/calls`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: unknown[] }).errors[0]).toMatchObject({ code: '10009' });
  });

  it('requires connection_id, from, to and webhook_url on dial (422 10004)', async () => {
    const err = await cmd.dial({ connection_id: 'c', from: FROM, to: VP, command_id: cid('dial') }).catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.error.errors[0]).toMatchObject({ code: '10004', source: { pointer: '/webhook_url' } });
  });

  it('ignores a repeated dial command_id: same call, not dialled twice', async () => {
    const id = cid('dial-dup');
    const first = await dial(VP, { command_id: id });
    const second = await dial(VP, { command_id: id });
    expect(second).toEqual(first);
    const dials = sim.commands.filter((c) => c.action === 'dial' && c.commandId === id);
    expect(dials.map((c) => c.duplicate)).toEqual([false, true]);
    expect(sim.calls().filter((c) => c.callControlId === first.callControlId)).toHaveLength(1);
    await cmd.hangup(first.callControlId, { command_id: cid('hangup') });
  });

  it('ignores a repeated action command_id on the same call, but not on another call', async () => {
    const a = await dial(VP);
    await eventOf(a.callLegId, 'call.answered');
    const id = cid('speak');
    const body = { payload: 'Hello there', voice: 'female', command_id: id, client_state: b64('speak-1') };
    expect(await cmd.speak(a.callControlId, body)).toEqual({ ok: true });
    expect(await cmd.speak(a.callControlId, body)).toEqual({ ok: true });
    await eventOf(a.callLegId, 'call.speak.ended');
    expect(sim.commands.filter((c) => c.commandId === id).map((c) => c.duplicate)).toEqual([false, true]);
    expect(typesOf(a.callLegId).filter((t) => t === 'call.speak.started')).toHaveLength(1);
    await cmd.hangup(a.callControlId, { command_id: cid('hangup') });
  });

  it('answers 90018 after hangup, 90015 for unknown ids, 90034 before answer', async () => {
    const a = await dial(VP, { timeout_secs: 30 });
    const early = await cmd.speak(a.callControlId, { payload: 'too soon', voice: 'female', command_id: cid('s') }).catch((e) => e);
    expect(telnyxErrorCode(early)).toBe('90034');
    await eventOf(a.callLegId, 'call.answered');
    await cmd.hangup(a.callControlId, { command_id: cid('hangup') });
    const res = await fetch(`${sim.url}/calls/${encodeURIComponent(a.callControlId)}/actions/speak`, {
      method: 'POST',
      headers: { authorization: 'Bearer KEY_TEST', 'content-type': 'application/json' },
      body: JSON.stringify({ payload: 'late', voice: 'female' }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual(fixture('error.422.examples.json').call_already_ended);
    const unknown = await cmd.hangup('v3:nope', { command_id: cid('h') }).catch((e) => e);
    expect(unknown.error).toEqual(fixture('error.422.examples.json').invalid_call_control_id);
    expect(sim.rejectedCommands.map((r) => r.code)).toEqual(expect.arrayContaining(['90034', '90018', '90015']));
  });
});

describe('telnyx simulator: webhooks', () => {
  it('signs every webhook, carries dial/command client_state, and matches the fixture shapes', async () => {
    const vp = await dial(VP, { client_state: b64('dial-vp'), answering_machine_detection: 'detect' });
    await eventOf(vp.callLegId, 'call.machine.detection.ended');
    await cmd.startTranscription(vp.callControlId, { command_id: cid('stt'), client_state: b64('stt') });
    await cmd.speak(vp.callControlId, { payload: 'Briefing', voice: 'female', client_state: b64('speak'), command_id: cid('s') });
    const ae = await dial(AE, { client_state: b64('dial-ae'), link_to: vp.callControlId });
    expect(ae.callSessionId).toBe(vp.callSessionId);
    await eventOf(ae.callLegId, 'call.answered');
    await cmd.bridge(vp.callControlId, {
      call_control_id_to_bridge_with: ae.callControlId,
      client_state: b64('bridge'),
      command_id: cid('bridge'),
    });
    await eventOf(vp.callLegId, 'call.hangup');
    await eventOf(ae.callLegId, 'call.hangup');

    expect(sim.commands.find((c) => c.action === 'bridge')?.body).toMatchObject({ call_control_id: ae.callControlId });
    const state = (w: CollectedWebhook) => Buffer.from(String(w.event.data.payload.client_state), 'base64').toString();
    const vpEvents = eventsOf(vp.callLegId).map((w) => `${w.event.data.event_type}:${state(w)}`);
    expect(vpEvents).toEqual([
      'call.initiated:dial-vp',
      'call.answered:dial-vp',
      'call.machine.detection.ended:dial-vp',
      'call.speak.started:speak',
      'call.speak.ended:speak',
      'call.bridged:bridge',
      'call.hangup:dial-vp',
    ]);
    expect(eventsOf(ae.callLegId).map((w) => `${w.event.data.event_type}:${state(w)}`)).toEqual([
      'call.initiated:dial-ae',
      'call.answered:dial-ae',
      'call.bridged:dial-ae',
      'call.hangup:dial-ae',
    ]);
    for (const w of [...eventsOf(vp.callLegId), ...eventsOf(ae.callLegId)]) {
      expectFixtureShape(w);
      expect(JSON.parse(w.raw).meta).toEqual({ attempt: 1, delivered_to: hooks.url });
      if (!w.event.data.event_type.startsWith('call.machine.')) {
        expect(w.event.data.payload.call_control_id).toBe(
          w.event.data.payload.call_leg_id === vp.callLegId ? vp.callControlId : ae.callControlId,
        );
      }
    }
    expect(hooks.rejected).toEqual([]);
    expect(lines).toContain('🔗 bridged VP ↔ AE');
  });

  it('reports busy, rejected and unanswered calls with their hangup causes', async () => {
    const busy = await dial(BUSY);
    const reject = await dial(REJECT);
    const nobody = await dial('+14155550177', { timeout_secs: 5 });
    sim.setPersona('+14155550177', { answer: 'no_answer' }); // only affects later dials
    const cause = async (id: string) => ((await eventOf(id, 'call.hangup')).event.data.payload as Record<string, unknown>)['hangup_cause'];
    expect(await cause(busy.callLegId)).toBe('user_busy');
    expect(await cause(reject.callLegId)).toBe('call_rejected');
    await cmd.hangup(nobody.callControlId, { command_id: cid('h') }); // the default persona answers: hang it up
    for (const id of [busy.callLegId, reject.callLegId]) {
      expect(typesOf(id)).toEqual(['call.initiated', 'call.hangup']);
      eventsOf(id).forEach(expectFixtureShape);
    }
  });

  it('sends AMD machine verdict and greeting end (detect_words) without call_control_id, like the fixtures', async () => {
    const m = await dial(MACHINE, { answering_machine_detection: 'detect_words' });
    const greeting = await eventOf(m.callLegId, 'call.machine.greeting.ended');
    expect(greeting.event.data.payload).toMatchObject({ result: 'ended' });
    expect(greeting.event.data.payload.call_control_id).toBeUndefined();
    await cmd.hangup(m.callControlId, { command_id: cid('h') });
    expect(typesOf(m.callLegId)).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.detection.ended',
      'call.machine.greeting.ended',
    ]);
    eventsOf(m.callLegId).forEach(expectFixtureShape);
  });

  it('runs gathers: key press → dtmf + valid, silence → timeout, stop → cancelled, terminator', async () => {
    const p = await dial(PRESSER);
    await eventOf(p.callLegId, 'call.answered');
    const gather = (cs: string, extra: Record<string, unknown> = {}) =>
      cmd.gatherUsingSpeak(p.callControlId, {
        payload: 'Press 1 to accept',
        voice: 'female',
        maximum_digits: 1,
        valid_digits: '12',
        timeout_millis: 3000,
        client_state: b64(cs),
        command_id: cid('g'),
        ...extra,
      });
    const ended = (cs: string) => eventOf(p.callLegId, 'call.gather.ended', (w) => w.event.data.payload.client_state === b64(cs));

    await gather('g1');
    expect((await ended('g1')).event.data.payload).toMatchObject({ digits: '1', status: 'valid' });
    await gather('g2');
    expect((await ended('g2')).event.data.payload).toMatchObject({ digits: '', status: 'timeout' });
    await gather('g3', { maximum_digits: 5, valid_digits: '0123456789' });
    expect((await ended('g3')).event.data.payload).toMatchObject({ digits: '9', status: 'valid' });
    await gather('g4');
    await cmd.stopGather(p.callControlId, { command_id: cid('stop') });
    expect((await ended('g4')).event.data.payload).toMatchObject({ digits: '', status: 'cancelled' });
    await cmd.hangup(p.callControlId, { command_id: cid('h') });

    const dtmf = eventsOf(p.callLegId).filter((w) => w.event.data.event_type === 'call.dtmf.received');
    expect(dtmf.map((w) => (w.event.data.payload as Record<string, unknown>)['digit'])).toEqual(['1', '9', '#']);
    eventsOf(p.callLegId).forEach(expectFixtureShape);
  });

  it('a person left in silence hangs up by themselves (hangupAfterIdleMs)', async () => {
    sim.setPersona('+14155550188', { answer: 'human', ringMs: 500, hangupAfterIdleMs: 5000 });
    const leg = await dial('+14155550188');
    const hangup = await eventOf(leg.callLegId, 'call.hangup');
    expect(hangup.event.data.payload).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'callee' });
  });

  it('keeps the bridging leg when the other side leaves and park_after_unbridge is self', async () => {
    const vp = await dial(VP);
    const ae = await dial(AE, { link_to: vp.callControlId });
    await eventOf(ae.callLegId, 'call.answered');
    await cmd.bridge(vp.callControlId, {
      call_control_id_to_bridge_with: ae.callControlId,
      park_after_unbridge: 'self',
      command_id: cid('bridge'),
    });
    await cmd.hangup(ae.callControlId, { command_id: cid('h') });
    await eventOf(ae.callLegId, 'call.hangup');
    expect(sim.calls().find((c) => c.callControlId === vp.callControlId)?.state).toBe('answered');
    expect(await cmd.speak(vp.callControlId, { payload: 'Dana dropped off.', voice: 'female', command_id: cid('s') })).toEqual({
      ok: true,
    });
    await cmd.hangup(vp.callControlId, { command_id: cid('h') });
    await eventOf(vp.callLegId, 'call.hangup');
    expect(typesOf(vp.callLegId).filter((t) => t === 'call.hangup')).toHaveLength(1);
  });

  it('never prints a whole phone number', async () => {
    await sim.whenIdle({ timeoutMs: 10_000 });
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.join('\n')).not.toMatch(/\d{5,}/);
    expect(lines).toContain('☎  ringing VP (…01)');
  });
});
