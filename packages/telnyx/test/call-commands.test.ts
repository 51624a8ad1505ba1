import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The simulator lives in @dda/sandbox, which depends on this package; a relative import avoids a cycle.
import {
  createTelnyxSimulator,
  createWebhookCollector,
  type TelnyxSimulator,
  type WebhookCollector,
} from '../../sandbox/src/telnyx-sim/index.ts';
import {
  commandId,
  createCallCommands,
  generateWebhookKeyPair,
  isCallEndedError,
  isRetryableTelnyxError,
  telnyxErrorCode,
  type CommandInfo,
} from '../src/index.ts';

const VP = '+14155550101';
const NOBODY = '+14155550102';
const FROM = '+14155550199';
const keys = generateWebhookKeyPair();
let sim: TelnyxSimulator;
let hooks: WebhookCollector;

beforeAll(async () => {
  hooks = await createWebhookCollector({ publicKey: keys.publicKey });
  sim = await createTelnyxSimulator({
    apiKey: 'KEY_TEST',
    privateKey: keys.privateKey,
    timeScale: 0.02,
    personas: { [VP]: { answer: 'human', ringMs: 1000 }, [NOBODY]: { answer: 'no_answer' } },
  });
});
afterAll(async () => {
  await sim.close();
  await hooks.close();
});

const commands = (seen: CommandInfo[] = [], extra: { apiKey?: string; maxRetries?: number } = {}) =>
  createCallCommands({
    apiKey: extra.apiKey ?? 'KEY_TEST',
    baseURL: sim.url,
    timeoutMs: 2000,
    maxRetries: extra.maxRetries ?? 2,
    onCommand: (i) => seen.push(i),
  });

const dialBody = (to: string, id: string) => ({
  connection_id: 'conn-1',
  from: FROM,
  to,
  webhook_url: hooks.url,
  command_id: commandId(id, 'dial'),
});

describe('createCallCommands against the simulator', () => {
  it('maps 90018 (call already ended) to { ok: true, ended: true }', async () => {
    const seen: CommandInfo[] = [];
    const cmd = commands(seen);
    const leg = await cmd.dial(dialBody(VP, 'c1'));
    expect(leg.callControlId).toMatch(/^v3:/);
    const ccid = leg.callControlId!;
    await hooks.waitFor((w) => w.event.data.event_type === 'call.answered' && w.event.data.payload.call_control_id === ccid);

    expect(await cmd.hangup(ccid, { command_id: commandId('c1', 'hangup') })).toEqual({ ok: true });
    expect(await cmd.speak(ccid, { payload: 'hi', voice: 'female', command_id: commandId('c1', 'speak') })).toEqual({
      ok: true,
      ended: true,
    });
    expect(await cmd.hangup(ccid, { command_id: commandId('c1', 'hangup-2') })).toEqual({ ok: true, ended: true });
    expect(seen.map((s) => [s.action, s.outcome, s.status])).toEqual([
      ['dial', 'ok', undefined],
      ['hangup', 'ok', undefined],
      ['speak', 'ended', 422],
      ['hangup', 'ended', 422],
    ]);
  });

  it('gets 90018 for a leg that was never answered once it timed out', async () => {
    const cmd = commands();
    const leg = await cmd.dial({ ...dialBody(NOBODY, 'c2'), timeout_secs: 5 });
    const ccid = leg.callControlId!;
    await hooks.waitFor((w) => w.event.data.event_type === 'call.hangup' && w.event.data.payload.call_control_id === ccid);
    expect(await cmd.hangup(ccid, { command_id: commandId('c2', 'hangup') })).toEqual({ ok: true, ended: true });
  });

  it('a resent dial that Telnyx answers without ids yields null ids instead of failing', async () => {
    sim.setModes({ duplicateDialAnswer: 'without_ids' });
    sim.setFaults({ loseAnswers: { action: 'dial', count: 1 } });
    try {
      const leg = await commands().dial(dialBody(VP, 'c3'));
      expect(leg).toEqual({ callControlId: null, callLegId: null, callSessionId: null });
      expect(sim.commands.filter((c) => c.action === 'dial' && c.commandId === commandId('c3', 'dial'))).toHaveLength(2);
    } finally {
      sim.setModes({});
      sim.setFaults({});
    }
  });

  it('throws other errors, with the Telnyx code and retryability', async () => {
    const cmd = commands();
    const err = await cmd.speak('v3:unknown', { payload: 'x', voice: 'female', command_id: 'x' }).catch((e: unknown) => e);
    expect(telnyxErrorCode(err)).toBe('90015');
    expect(isCallEndedError(err)).toBe(false);
    expect(isRetryableTelnyxError(err)).toBe(false);

    const unauthorised = await commands([], { apiKey: 'wrong' })
      .dial(dialBody(VP, 'c3'))
      .catch((e: unknown) => e);
    expect(telnyxErrorCode(unauthorised)).toBe('10009');
    expect(isRetryableTelnyxError(unauthorised)).toBe(false);
  });

  it('classifies 429 and 5xx that outlast the SDK retries as retryable', async () => {
    for (const status of [429, 500, 503] as const) {
      sim.setFaults({ commandStatus: status, commandFailCount: 1 });
      const err = await commands([], { maxRetries: 0 })
        .dial(dialBody(VP, `c4-${status}`))
        .catch((e: unknown) => e);
      expect((err as { status?: number }).status).toBe(status);
      expect(isRetryableTelnyxError(err)).toBe(true);
    }
    sim.setFaults({});
  });

  it('classifies an unreachable API as retryable', async () => {
    const down = createCallCommands({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v2', maxRetries: 0, timeoutMs: 500 });
    const err = await down.hangup('v3:x', { command_id: 'x' }).catch((e: unknown) => e);
    expect(isRetryableTelnyxError(err)).toBe(true);
    expect(isRetryableTelnyxError(new Error('plain'))).toBe(false);
  });

  it('leaves the simulator idle once the calls are over', async () => {
    await sim.whenIdle({ timeoutMs: 10_000 });
  });
});
