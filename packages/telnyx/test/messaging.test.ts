import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Telnyx from 'telnyx';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The simulator lives in @dda/sandbox, which depends on this package; a relative import avoids a cycle.
import { createTelnyxSimulator, type TelnyxSimulator } from '../../sandbox/src/telnyx-sim/index.ts';
import {
  createMessaging,
  generateWebhookKeyPair,
  isDefinitelyNotSent,
  isRetryableTelnyxError,
  telnyxApiError,
  telnyxErrorCode,
} from '../src/index.ts';

const LEADER = '+14155550101';
const OUR_NUMBER = '+14155550199';
const PROFILE = '4001767e-ce0f-4cae-9d5f-0d5e636e7809';
const keys = generateWebhookKeyPair();
let sim: TelnyxSimulator;
let sink: Server;
let sinkUrl: string;

beforeAll(async () => {
  // Message webhooks need somewhere to go; what they carry is tested in the sandbox's telnyx-sim-inbound test.
  sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/webhooks/telnyx/messaging`;
  sim = await createTelnyxSimulator({ apiKey: 'KEY_TEST', privateKey: keys.privateKey, timeScale: 0.02, personas: {} });
});
afterAll(async () => {
  await sim.close();
  sink.closeAllConnections();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
});
beforeEach(() => sim.setModes({}));

const messaging = (timeoutMs = 2000) => createMessaging({ apiKey: 'KEY_TEST', baseURL: sim.url, timeoutMs });
const text = (body = 'Missed call about Northwind: call back on this number.') => ({
  from: OUR_NUMBER,
  to: LEADER,
  text: body,
  messagingProfileId: PROFILE,
  webhookUrl: sinkUrl,
});
const sentSince = (before: number) => sim.messages().slice(before);

describe('createMessaging against the simulator', () => {
  it('sends: id, the recipient status from data.to[0] and parts', async () => {
    const before = sim.messages().length;
    const sent = await messaging().send(text());
    expect(sent).toEqual({ id: expect.any(String), status: 'queued', parts: 1 });
    expect(sentSince(before)).toEqual([
      expect.objectContaining({ id: sent.id, to: LEADER, from: OUR_NUMBER, messagingProfileId: PROFILE, webhookUrl: sinkUrl }),
    ]);
  });

  it('reports parts: 170 GSM-7 characters are two segments', async () => {
    const before = sim.messages().length;
    await messaging().send(text('A 170-character text: '.padEnd(170, 'x')));
    const [msg] = sentSince(before);
    expect(msg).toMatchObject({ encoding: 'GSM-7', parts: 2 });
  });

  it('opted_out: 403 / 40300, nothing sent, isDefinitelyNotSent', async () => {
    sim.setModes({ messages: 'opted_out' });
    const before = sim.messages().length;
    const err = await messaging()
      .send(text())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Telnyx.APIError);
    expect((err as InstanceType<typeof Telnyx.APIError>).status).toBe(403);
    expect(telnyxErrorCode(err)).toBe('40300');
    expect(isDefinitelyNotSent(err)).toBe(true);
    expect(sentSince(before)).toEqual([]);
    expect(sim.rejectedCommands.at(-1)).toMatchObject({ action: 'send_message', status: 403, code: '40300' });
  });

  it('a validation 422 is definitely not sent', async () => {
    const before = sim.messages().length;
    const err = await messaging()
      .send({ ...text(), to: '4155550101' })
      .catch((e: unknown) => e);
    expect((err as InstanceType<typeof Telnyx.APIError>).status).toBe(422);
    expect(telnyxErrorCode(err)).toBe('10016');
    expect(isDefinitelyNotSent(err)).toBe(true);
    expect(sentSince(before)).toEqual([]);
  });

  it('server_error_after_accept: throws, not definitely unsent, and exactly ONE text went out (no SDK retry)', async () => {
    sim.setModes({ messages: 'server_error_after_accept' });
    const before = sim.messages().length;
    const err = await messaging()
      .send(text())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Telnyx.APIError);
    expect((err as InstanceType<typeof Telnyx.APIError>).status).toBe(500);
    expect(isDefinitelyNotSent(err)).toBe(false);
    expect(sentSince(before)).toHaveLength(1);
    expect(sentSince(before)[0]).toMatchObject({ answered: 500, mode: 'server_error_after_accept' });
  });

  it('the SDK with its default retries would have sent that text three times (why maxRetries is 0)', async () => {
    sim.setModes({ messages: 'server_error_after_accept' });
    const before = sim.messages().length;
    // Stainless backs off ~0.5-1 s then ~1-2 s between attempts; the 500 is final after the second retry.
    const client = new Telnyx({ apiKey: 'KEY_TEST', baseURL: sim.url, timeout: 2000 });
    await expect(
      client.messages.send({ from: OUR_NUMBER, to: LEADER, text: 'x', messaging_profile_id: PROFILE, type: 'SMS' }),
    ).rejects.toBeInstanceOf(Telnyx.InternalServerError);
    expect(sentSince(before)).toHaveLength(3);
  }, 15_000);

  it('timeout_after_accept: the client times out, the outcome is unknown, and ONE text went out', async () => {
    sim.setModes({ messages: 'timeout_after_accept' });
    const before = sim.messages().length;
    const started = Date.now();
    const err = await messaging(300)
      .send(text())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Telnyx.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(isDefinitelyNotSent(err)).toBe(false);
    expect(isRetryableTelnyxError(err)).toBe(true);
    expect(sentSince(before)).toEqual([expect.objectContaining({ answered: 'none' })]);
  });

  it('delivery_failed is accepted at send: the failure only arrives in message.finalized', async () => {
    sim.setModes({ messages: 'delivery_failed' });
    const sent = await messaging().send(text());
    expect(sent.status).toBe('queued');
    await sim.whenIdle();
    expect(sim.messages().find((m) => m.id === sent.id)?.status).toBe('delivery_failed');
  });
});

describe('isDefinitelyNotSent', () => {
  it('is true only for refusals: 4xx other than 408, 409 and 429', () => {
    expect(isDefinitelyNotSent(telnyxApiError(403, '40300'))).toBe(true);
    expect(isDefinitelyNotSent(telnyxApiError(400, '40310'))).toBe(true);
    expect(isDefinitelyNotSent(telnyxApiError(422, '10004'))).toBe(true);
    expect(isDefinitelyNotSent(telnyxApiError(401, '10009'))).toBe(true);
    for (const status of [408, 409, 429, 500, 502, 503])
      expect(isDefinitelyNotSent(telnyxApiError(status, '10007')), String(status)).toBe(false);
    expect(isDefinitelyNotSent(new Telnyx.APIConnectionError({ message: 'socket hang up' }))).toBe(false);
    expect(isDefinitelyNotSent(new Telnyx.APIConnectionTimeoutError())).toBe(false);
    expect(isDefinitelyNotSent(new Error('Telnyx accepted the message but its answer has no id or recipient status'))).toBe(false);
    expect(isDefinitelyNotSent(undefined)).toBe(false);
  });
});
