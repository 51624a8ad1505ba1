import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  commandId,
  createCallCommands,
  createMessaging,
  generateWebhookKeyPair,
  telnyxErrorCode,
  telnyxMessageEventSchema,
  verifyTelnyxWebhook,
  type CallCommands,
} from '@dda/telnyx';
import {
  callerEntersPin,
  createTelnyxSimulator,
  createWebhookCollector,
  segmentsOf,
  type CollectedWebhook,
  type TelnyxSimulator,
  type WebhookCollector,
} from '../src/telnyx-sim/index.ts';
import { withIds } from './dialed-leg.ts';

// Calls to our number (sim.incomingCall, POST /v2/_sim/incoming-call) and texts (POST /v2/messages), against
// the official SDK and receivers that verify every delivery with verifyTelnyxWebhook.
const LEADER = '+14155550101';
const PIN_CALLER = '+14155550102';
const WRONG_PIN = '+14155550103';
const TALKER = '+14155550104';
const AE = '+14155550105';
const OUR_NUMBER = '+14155550199';
const PROFILE = '4001767e-ce0f-4cae-9d5f-0d5e636e7809';
const keys = generateWebhookKeyPair();
const b64 = (s: string) => Buffer.from(s).toString('base64');

let sim: TelnyxSimulator;
let hooks: WebhookCollector;
let cmd: CallCommands;
const lines: string[] = [];
let n = 0;
const cid = (what: string) => commandId('inbound-test', `${what}-${n++}`);

type RawDelivery = { raw: string; headers: IncomingHttpHeaders };
let textHooks: { url: string; received: RawDelivery[]; server: Server };

beforeAll(async () => {
  hooks = await createWebhookCollector({ publicKey: keys.publicKey });
  const received: RawDelivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  textHooks = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telnyx/messaging`, received, server };
  sim = await createTelnyxSimulator({
    apiKey: 'KEY_TEST',
    privateKey: keys.privateKey,
    timeScale: 0.04,
    personas: {
      [LEADER]: { answer: 'human', hangupAfterIdleMs: 100_000 },
      [PIN_CALLER]: { ...callerEntersPin('2468', { afterwards: [{ press: '1' }] }), hangupAfterIdleMs: 100_000 },
      [WRONG_PIN]: { ...callerEntersPin('1111'), hangupAfterIdleMs: 100_000 },
      [TALKER]: { answer: 'human', responses: [{ say: 'connect me', during: 'any' }], hangupAfterIdleMs: 100_000 },
      [AE]: { answer: 'human', ringMs: 500, talkMs: 100_000 },
    },
    names: { [LEADER]: 'VP', [AE]: 'AE' },
    print: (l) => lines.push(l),
  });
  cmd = createCallCommands({ apiKey: 'KEY_TEST', baseURL: sim.url, timeoutMs: 2000 });
});
afterAll(async () => {
  await sim.close();
  await hooks.close();
  textHooks.server.closeAllConnections();
  await new Promise<void>((resolve) => textHooks.server.close(() => resolve()));
});
beforeEach(() => sim.setModes({}));

const eventOf = (legId: string, type: string, extra: (w: CollectedWebhook) => boolean = () => true) =>
  hooks.waitFor((w) => w.event.data.event_type === type && w.event.data.payload.call_leg_id === legId && extra(w));
const typesOf = (legId: string) =>
  hooks.received.filter((w) => w.event.data.payload.call_leg_id === legId).map((w) => w.event.data.event_type);
const commandsOn = (ccid: string) => sim.commands.filter((c) => c.callControlId === ccid).map((c) => c.action);
const payloadOf = (w: CollectedWebhook) => w.event.data.payload as Record<string, unknown>;

function callIn(from: string, extra: Record<string, unknown> = {}) {
  return sim.incomingCall({ from, to: OUR_NUMBER, webhookUrl: hooks.url, ...extra });
}
async function answered(from: string, clientState = b64('answered')) {
  const call = callIn(from);
  await eventOf(call.callLegId, 'call.initiated');
  await cmd.answer(call.callControlId, { client_state: clientState, command_id: cid('answer') });
  await eventOf(call.callLegId, 'call.answered');
  return call;
}

describe('telnyx simulator: a call to our number', () => {
  it('call.initiated: direction incoming, parked, client_state null, with SHAKEN/STIR when attested', async () => {
    const call = callIn(LEADER, { attestation: 'A' });
    const init = payloadOf(await eventOf(call.callLegId, 'call.initiated'));
    expect(init).toEqual({
      call_control_id: call.callControlId,
      call_leg_id: call.callLegId,
      call_session_id: call.callSessionId,
      client_state: null,
      connection_id: 'sim-call-control-app',
      from: LEADER,
      to: OUR_NUMBER,
      direction: 'incoming',
      caller_id_name: LEADER,
      state: 'parked',
      start_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      shaken_stir_attestation: 'A',
      shaken_stir_validated: true,
    });
    const plain = callIn(LEADER);
    const plainInit = payloadOf(await eventOf(plain.callLegId, 'call.initiated'));
    expect(plainInit).not.toHaveProperty('shaken_stir_attestation');
    expect(plainInit).not.toHaveProperty('shaken_stir_validated');
    const failed = callIn(LEADER, { attestation: 'A', attestationValidated: false });
    expect(payloadOf(await eventOf(failed.callLegId, 'call.initiated'))).toMatchObject({ shaken_stir_validated: false });
    for (const c of [call, plain, failed]) await cmd.reject(c.callControlId, { cause: 'CALL_REJECTED', command_id: cid('reject') });
    expect(sim.calls().find((c) => c.callControlId === call.callControlId)).toMatchObject({
      direction: 'incoming',
      from: LEADER,
      role: 'VP',
    });
  });

  it('answer → call.answered with its client_state; then speak, hangup as on a dialled leg', async () => {
    const call = await answered(LEADER, b64('cb.vp.0'));
    const answeredEvent = await eventOf(call.callLegId, 'call.answered');
    expect(payloadOf(answeredEvent)).toMatchObject({ client_state: b64('cb.vp.0'), from: LEADER, to: OUR_NUMBER, state: 'answered' });
    await cmd.speak(call.callControlId, { payload: 'You have one missed deal alert.', voice: 'female', command_id: cid('speak') });
    await eventOf(call.callLegId, 'call.speak.ended');
    await cmd.hangup(call.callControlId, { command_id: cid('hangup') });
    const hangup = payloadOf(await eventOf(call.callLegId, 'call.hangup'));
    expect(hangup).toMatchObject({ hangup_cause: 'normal_clearing', hangup_source: 'callee' });
    expect(typesOf(call.callLegId)).toEqual(['call.initiated', 'call.answered', 'call.speak.started', 'call.speak.ended', 'call.hangup']);
    expect(commandsOn(call.callControlId)).toEqual(['answer', 'speak', 'hangup']);
  });

  it('media commands before the answer are refused with 90034; answer and reject are for parked incoming calls only', async () => {
    const call = callIn(LEADER);
    await eventOf(call.callLegId, 'call.initiated');
    const early = await cmd
      .speak(call.callControlId, { payload: 'Too early', voice: 'female', command_id: cid('speak') })
      .catch((e: unknown) => e);
    expect(telnyxErrorCode(early)).toBe('90034');
    await cmd.answer(call.callControlId, { command_id: cid('answer') });
    const twice = await cmd.answer(call.callControlId, { command_id: cid('answer') }).catch((e: unknown) => e);
    expect(telnyxErrorCode(twice)).toBe('10015');
    const lateReject = await cmd.reject(call.callControlId, { cause: 'CALL_REJECTED', command_id: cid('reject') }).catch((e: unknown) => e);
    expect(telnyxErrorCode(lateReject)).toBe('10015');
    // A resent answer (same command_id) is a duplicate, answered 200 and not carried out again.
    const answerId = cid('answer');
    const other = callIn(LEADER);
    await cmd.answer(other.callControlId, { command_id: answerId });
    await cmd.answer(other.callControlId, { command_id: answerId });
    expect(sim.commands.filter((c) => c.callControlId === other.callControlId).map((c) => c.duplicate)).toEqual([false, true]);
    const outgoing = withIds(
      await cmd.dial({ connection_id: 'c', from: OUR_NUMBER, to: AE, webhook_url: hooks.url, command_id: cid('dial') }),
    );
    const notIncoming = await cmd.answer(outgoing.callControlId, { command_id: cid('answer') }).catch((e: unknown) => e);
    expect(telnyxErrorCode(notIncoming)).toBe('10015');
    for (const id of [call.callControlId, other.callControlId, outgoing.callControlId]) await cmd.hangup(id, { command_id: cid('hangup') });
  });

  it('reject: call.hangup call_rejected (USER_BUSY: user_busy), nothing else sent to the caller', async () => {
    const call = callIn(LEADER);
    await eventOf(call.callLegId, 'call.initiated');
    await cmd.reject(call.callControlId, { cause: 'CALL_REJECTED', command_id: cid('reject') });
    expect(payloadOf(await eventOf(call.callLegId, 'call.hangup'))).toMatchObject({
      hangup_cause: 'call_rejected',
      hangup_source: 'callee',
      sip_hangup_cause: '603',
    });
    expect(typesOf(call.callLegId)).toEqual(['call.initiated', 'call.hangup']);
    expect(commandsOn(call.callControlId)).toEqual(['reject']);
    const busy = callIn(LEADER);
    await cmd.reject(busy.callControlId, { cause: 'USER_BUSY', command_id: cid('reject') });
    expect(payloadOf(await eventOf(busy.callLegId, 'call.hangup'))).toMatchObject({ hangup_cause: 'user_busy' });
    const bad = callIn(LEADER);
    const noCause = await cmd.reject(bad.callControlId, { command_id: cid('reject') } as never).catch((e: unknown) => e);
    expect(telnyxErrorCode(noCause)).toBe('10004');
    await cmd.reject(bad.callControlId, { cause: 'CALL_REJECTED', command_id: cid('reject') });
  });

  it('unanswered: the caller gives up with originator_cancel', async () => {
    const call = callIn(LEADER, { answerTimeoutMs: 10_000 }); // 400 ms at this time scale
    await eventOf(call.callLegId, 'call.initiated');
    const hangup = payloadOf(await eventOf(call.callLegId, 'call.hangup'));
    expect(hangup).toMatchObject({ hangup_cause: 'originator_cancel', hangup_source: 'caller', sip_hangup_cause: '487' });
    expect(commandsOn(call.callControlId)).toEqual([]);
  });

  it('a caller persona keys a PIN into the first gather, then answers the next', async () => {
    const call = await answered(PIN_CALLER);
    await cmd.gatherUsingSpeak(call.callControlId, {
      payload: 'Enter your PIN followed by the pound key.',
      voice: 'female',
      maximum_digits: 8,
      command_id: cid('gather'),
    });
    const pin = payloadOf(await eventOf(call.callLegId, 'call.gather.ended'));
    expect(pin).toMatchObject({ digits: '2468', status: 'valid' });
    await cmd.gatherUsingSpeak(call.callControlId, {
      payload: 'Press 1 to connect.',
      voice: 'female',
      maximum_digits: 1,
      command_id: cid('gather'),
    });
    await eventOf(call.callLegId, 'call.gather.ended', (w) => payloadOf(w)['digits'] === '1');
    expect(sim.personaActions().filter((a) => a.callControlId === call.callControlId)).toEqual([
      expect.objectContaining({ kind: 'press', text: '2468#' }),
      expect.objectContaining({ kind: 'press', text: '1' }),
    ]);
    await cmd.hangup(call.callControlId, { command_id: cid('hangup') });
  });

  it('a wrong PIN: the app hangs up, and no speak was ever sent on that leg', async () => {
    const call = await answered(WRONG_PIN);
    await cmd.gatherUsingSpeak(call.callControlId, { payload: 'Enter your PIN.', voice: 'female', command_id: cid('gather') });
    expect(payloadOf(await eventOf(call.callLegId, 'call.gather.ended'))).toMatchObject({ digits: '1111' });
    await cmd.hangup(call.callControlId, { command_id: cid('hangup') });
    await eventOf(call.callLegId, 'call.hangup');
    expect(commandsOn(call.callControlId)).toEqual(['answer', 'gather_using_speak', 'hangup']);
    expect(commandsOn(call.callControlId)).not.toContain('speak');
    expect(sim.audioTimeline().filter((a) => a.callControlId === call.callControlId && a.kind === 'speak')).toEqual([]);
  });

  it('speech reaches the app through transcription, and the caller can be bridged to a dialled AE', async () => {
    const call = await answered(TALKER);
    await cmd.startTranscription(call.callControlId, { transcription_engine: 'Telnyx', command_id: cid('stt') });
    await cmd.speak(call.callControlId, {
      payload: 'Say connect me to reach the account executive.',
      voice: 'female',
      command_id: cid('speak'),
    });
    const heard = await eventOf(call.callLegId, 'call.transcription');
    expect(payloadOf(heard)['transcription_data']).toMatchObject({ transcript: 'connect me' });
    const ae = withIds(
      await cmd.dial({
        connection_id: 'c',
        from: OUR_NUMBER,
        to: AE,
        webhook_url: hooks.url,
        link_to: call.callControlId,
        command_id: cid('dial'),
      }),
    );
    expect(ae.callSessionId).toBe(call.callSessionId);
    await eventOf(ae.callLegId, 'call.answered');
    await cmd.bridge(call.callControlId, { call_control_id_to_bridge_with: ae.callControlId, command_id: cid('bridge') });
    await eventOf(call.callLegId, 'call.bridged');
    await eventOf(ae.callLegId, 'call.bridged');
    await cmd.hangup(call.callControlId, { command_id: cid('hangup') });
    // The caller hung up by us: the AE's leg ends with the bridge.
    await eventOf(ae.callLegId, 'call.hangup');
  });

  it('POST /v2/_sim/incoming-call (no API key) places the same call; GET /v2/_sim/commands lists one leg', async () => {
    const post = (body: unknown) =>
      fetch(`${sim.url}/_sim/incoming-call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const res = await post({
      from: LEADER,
      to: OUR_NUMBER,
      webhookUrl: hooks.url,
      attestation: 'B',
      persona: { responses: [{ press: '9#' }] },
    });
    expect(res.status).toBe(201);
    const call = (await res.json()) as { callControlId: string; callLegId: string; callSessionId: string };
    expect(payloadOf(await eventOf(call.callLegId, 'call.initiated'))).toMatchObject({
      shaken_stir_attestation: 'B',
      direction: 'incoming',
    });
    await cmd.answer(call.callControlId, { command_id: cid('answer') });
    await cmd.gatherUsingSpeak(call.callControlId, { payload: 'PIN?', voice: 'female', command_id: cid('gather') });
    expect(payloadOf(await eventOf(call.callLegId, 'call.gather.ended'))).toMatchObject({ digits: '9', status: 'valid' });
    await cmd.hangup(call.callControlId, { command_id: cid('hangup') });
    const listed = (await (
      await fetch(`${sim.url}/_sim/commands?call_control_id=${encodeURIComponent(call.callControlId)}`)
    ).json()) as Array<{
      action: string;
    }>;
    expect(listed.map((c) => c.action)).toEqual(['answer', 'gather_using_speak', 'hangup']);
    const bad = await post({ from: '4155550101', to: OUR_NUMBER, webhookUrl: hooks.url });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('10016');
    expect(() => sim.incomingCall({ from: LEADER, to: OUR_NUMBER, webhookUrl: 'not-a-url' })).toThrow(TypeError);
  });

  it('print lines mask the caller', () => {
    const joined = lines.join('\n');
    for (const number of [LEADER, PIN_CALLER, WRONG_PIN, TALKER, OUR_NUMBER]) expect(joined).not.toContain(number.slice(1));
    expect(joined).toMatch(/incoming call from VP/);
  });
});

describe('telnyx simulator: texts', () => {
  const messaging = () => createMessaging({ apiKey: 'KEY_TEST', baseURL: sim.url, timeoutMs: 2000 });
  const send = (text = 'You missed a call about Northwind ($120,000). Call back on this number.') =>
    messaging().send({ from: OUR_NUMBER, to: LEADER, text, messagingProfileId: PROFILE, webhookUrl: textHooks.url });
  const deliveriesOf = (id: string) =>
    textHooks.received.filter((d) => (JSON.parse(d.raw) as { data: { payload: { id: string } } }).data.payload.id === id);

  it('answers 200 in the OutboundMessagePayload shape', async () => {
    const res = await fetch(`${sim.url}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer KEY_TEST', 'content-type': 'application/json' },
      body: JSON.stringify({ from: OUR_NUMBER, to: LEADER, text: 'Hello', messaging_profile_id: PROFILE, type: 'SMS' }),
    });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Record<string, any> };
    expect(data).toMatchObject({
      record_type: 'message',
      direction: 'outbound',
      type: 'SMS',
      from: { phone_number: OUR_NUMBER },
      to: [{ phone_number: LEADER, status: 'queued', carrier: expect.any(String), line_type: 'Wireless' }],
      text: 'Hello',
      parts: 1,
      encoding: 'GSM-7',
      messaging_profile_id: PROFILE,
      errors: [],
      webhook_url: null,
    });
    expect(data['id']).toMatch(/^[0-9a-f-]{36}$/);
    const unauthorised = await fetch(`${sim.url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unauthorised.status).toBe(401);
  });

  it('validates like Telnyx: 422 with a Telnyx error body', async () => {
    const post = (body: Record<string, unknown>) =>
      fetch(`${sim.url}/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer KEY_TEST', 'content-type': 'application/json' },
        body: JSON.stringify({ from: OUR_NUMBER, to: LEADER, text: 'Hi', messaging_profile_id: PROFILE, ...body }),
      });
    const codeOf = async (r: Response) => [r.status, ((await r.json()) as { errors: Array<{ code: string }> }).errors[0]?.code];
    expect(await codeOf(await post({ to: '+0' }))).toEqual([422, '10016']);
    expect(await codeOf(await post({ from: undefined }))).toEqual([422, '10004']);
    expect(await codeOf(await post({ text: '  ' }))).toEqual([422, '10004']);
    expect(await codeOf(await post({ messaging_profile_id: undefined }))).toEqual([422, '10004']);
    expect(await codeOf(await post({ webhook_url: 'ftp://x' }))).toEqual([422, '10015']);
  });

  it('message.sent then message.finalized (delivered), signed like voice and verified by verifyTelnyxWebhook', async () => {
    const sent = await send();
    await sim.whenIdle();
    const deliveries = deliveriesOf(sent.id);
    const verified = await Promise.all(
      deliveries.map((d) => verifyTelnyxWebhook(d.raw, d.headers, keys.publicKey, telnyxMessageEventSchema)),
    );
    const events = verified.map((v) => {
      if (!v.ok) throw new Error(`message webhook refused: ${v.reason}`);
      return v.event.data;
    });
    expect(events.map((e) => [e.event_type, e.payload.to[0]?.status])).toEqual([
      ['message.sent', 'sent'],
      ['message.finalized', 'delivered'],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ record_type: 'event', id: expect.any(String), occurred_at: expect.any(String) });
      expect(e.payload).toMatchObject({ id: sent.id, record_type: 'message', direction: 'outbound', errors: [] });
    }
    expect(JSON.parse(deliveries[1]!.raw).data.payload.completed_at).toEqual(expect.any(String));
    // A tampered body does not verify.
    const tampered = deliveries[0]!.raw.replace('message.sent', 'message.finalized');
    expect(await verifyTelnyxWebhook(tampered, deliveries[0]!.headers, keys.publicKey, telnyxMessageEventSchema)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(sim.webhooksSent.filter((w) => w.messageId === sent.id).map((w) => [w.event_type, w.delivered, w.callControlId])).toEqual([
      ['message.sent', true, ''],
      ['message.finalized', true, ''],
    ]);
    expect(sim.messages().find((m) => m.id === sent.id)).toMatchObject({ status: 'delivered', answered: 200, to: LEADER });
  });

  it('delivery_failed: finalized with status delivery_failed and error 40002', async () => {
    sim.setModes({ messages: 'delivery_failed' });
    const sent = await send();
    await sim.whenIdle();
    const last = JSON.parse(deliveriesOf(sent.id).at(-1)!.raw).data;
    expect(last.event_type).toBe('message.finalized');
    expect(last.payload.to[0].status).toBe('delivery_failed');
    expect(last.payload.errors).toEqual([expect.objectContaining({ code: '40002' })]);
  });

  it('opted_out: no text, no webhooks', async () => {
    sim.setModes({ messages: 'opted_out' });
    const before = sim.messages().length;
    const deliveriesBefore = textHooks.received.length;
    await expect(send()).rejects.toMatchObject({ status: 403 });
    await sim.whenIdle();
    expect(sim.messages()).toHaveLength(before);
    expect(textHooks.received).toHaveLength(deliveriesBefore);
  });

  it('server_error_after_accept: the text goes out and its webhooks arrive, though the sender got a 500', async () => {
    sim.setModes({ messages: 'server_error_after_accept' });
    const before = sim.messages().length;
    await expect(send()).rejects.toMatchObject({ status: 500 });
    await sim.whenIdle();
    const [msg] = sim.messages().slice(before);
    expect(msg).toMatchObject({ status: 'delivered', answered: 500 });
    expect(deliveriesOf(msg!.id)).toHaveLength(2);
  });

  it('modes over HTTP, GET /v2/_sim/messages, and masked print lines', async () => {
    const setModes = await fetch(`${sim.url}/_sim/modes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: 'delivery_failed' }),
    });
    expect(await setModes.json()).toEqual({ messages: 'delivery_failed' });
    const badMode = await fetch(`${sim.url}/_sim/modes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: 'lost' }),
    });
    expect(badMode.status).toBe(422);
    const sent = await send('Call +14155550123 back about Contoso.');
    await sim.whenIdle();
    const listed = (await (await fetch(`${sim.url}/_sim/messages`)).json()) as Array<{ id: string; status: string }>;
    expect(listed.find((m) => m.id === sent.id)?.status).toBe('delivery_failed');
    const textLines = lines.filter((l) => l.includes('text to'));
    expect(textLines.length).toBeGreaterThan(0);
    for (const l of textLines) {
      expect(l).not.toContain(LEADER.slice(1));
      expect(l).not.toContain('14155550123');
    }
  });

  it('counts segments as GSM-7 160/153 and UCS-2 70/67', () => {
    expect(segmentsOf('a'.repeat(160))).toEqual({ encoding: 'GSM-7', parts: 1 });
    expect(segmentsOf('a'.repeat(161))).toEqual({ encoding: 'GSM-7', parts: 2 });
    expect(segmentsOf('a'.repeat(306))).toEqual({ encoding: 'GSM-7', parts: 2 });
    expect(segmentsOf('€'.repeat(80))).toEqual({ encoding: 'GSM-7', parts: 1 }); // extension characters count twice
    expect(segmentsOf(`${'a'.repeat(69)}’`)).toEqual({ encoding: 'UCS-2', parts: 1 });
    expect(segmentsOf(`${'a'.repeat(70)}’`)).toEqual({ encoding: 'UCS-2', parts: 2 });
    expect(segmentsOf('Deal won 🎉')).toMatchObject({ encoding: 'UCS-2' });
  });
});
