import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { closeQueues, type CallEventJob } from '@dda/queues';
import { encodeClientState } from '@dda/telnyx';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import type { CallDeps } from '../src/call-deps.ts';
import { applyTelnyxEvent } from '../src/apply-call-event.ts';
import { placeCall } from '../src/place-call.ts';
import { runWatchdog, watchdogDelayMs } from '../src/call-watchdog.ts';
import { failCallOfEvent } from '../src/call-failures.ts';
import { recordingTelnyx } from './support/recording-telnyx.ts';
import { testCallDeps, testCallSettings } from './support/test-call-deps.ts';

/*
 * The call package against real Redis and a recording double of the Telnyx SDK boundary: the executor's
 * failure path, the watchdog and the dial without ids, without processes or simulators in the way.
 */
const VP = '+15550100001';
const AE = '+15550100201';
const settings = testCallSettings({ vpNumber: VP, vpName: 'Jordan' });

let redis: Redis;
let prefix: string;
let deps: CallDeps;
let telnyx: ReturnType<typeof recordingTelnyx>;

beforeAll(async () => {
  redis = new Redis(await testRedisUrl(), { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis.disconnect();
});
beforeEach(async () => {
  if (prefix) await deleteKeys(redis, prefix);
  prefix = uniquePrefix('calls-pkg');
  telnyx = recordingTelnyx();
  if (deps) await closeQueues(deps.queues);
  deps = testCallDeps(redis, prefix, {
    telnyx: telnyx.commands,
    settings,
    directory: [{ email: 'dana@seller.example', name: 'Dana Whitfield', phone: AE }],
    service: 'calls-test',
  });
});

async function newAlert(): Promise<string> {
  return deps.alerts.createManual({
    source: 'manual',
    reason: 'manual alert',
    reasons: ['manual'],
    deal: {
      id: 'd1',
      name: 'Platform Expansion',
      amount: 185000,
      currency: null,
      stage: 'Negotiation',
      previous_stage: null,
      account: 'Northwind',
      owner: { name: 'Dana Whitfield', email: 'dana@seller.example' },
      close_date: null,
    },
  });
}

let seq = 0;
function event(
  callId: string,
  type: string,
  payload: Record<string, unknown> = {},
  leg: 'vp' | 'ae' = 'vp',
  ccid = 'v3:leg-1',
): CallEventJob {
  seq += 1;
  return {
    eventId: `ev-${seq}`,
    eventType: type,
    occurredAt: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    payload: { call_control_id: ccid, client_state: encodeClientState({ callId, leg, step: 0 }), ...payload },
  };
}

async function dialed(): Promise<{ alertId: string; callId: string }> {
  const alertId = await newAlert();
  const placed = await placeCall(deps, { alertId, attempt: 0, round: 0, group: [] });
  if (!placed.placed) throw new Error(`not placed: ${placed.reason}`);
  return { alertId, callId: placed.callId };
}

describe('the call package against real Redis', () => {
  it('applies an event once: a redelivery with the same id sends nothing more', async () => {
    const { callId } = await dialed();
    const answered = event(callId, 'call.answered');
    await applyTelnyxEvent(deps, answered);
    const after = telnyx.actions();
    expect(after).toEqual(['dial', 'speak', 'transcription_start']);
    expect(await applyTelnyxEvent(deps, answered)).toMatchObject({ applied: false, reason: 'duplicate' });
    expect(telnyx.actions()).toEqual(after);
  });

  it('a speak refused for good: the VP hears the apology, the alert fails naming the command', async () => {
    const { alertId, callId } = await dialed();
    telnyx.refuse('speak', 422, '10015', 1);
    await applyTelnyxEvent(deps, event(callId, 'call.answered'));
    expect(telnyx.actions()).toEqual(['dial', 'speak', 'speak']);
    expect(telnyx.sent.at(-1)!.body['payload']).toMatch(/^Sorry, something went wrong/);
    const record = (await deps.calls.get(callId))!;
    expect(record.ctx).toMatchObject({ state: 'closing', result: 'failed' });
    // The refused headline never plays: only the apology is pending, so its end closes the call.
    expect(record.ctx.legs.vp.queue.map((p) => p.name)).toEqual(['apology']);
    await applyTelnyxEvent(deps, event(callId, 'call.speak.ended', { status: 'completed' }));
    expect(telnyx.actions().at(-1)).toBe('hangup');
    const alert = (await deps.alerts.get(alertId))!;
    expect(alert.outcome).toBe('failed');
    expect(alert.outcome_reason).toMatch(/Telnyx refused speak \(422 10015\)/);
  });

  it('"call ended" on a command counts as that leg\'s hangup when its webhook never comes', async () => {
    const { alertId, callId } = await dialed();
    await applyTelnyxEvent(deps, event(callId, 'call.answered'));
    telnyx.endLeg('v3:leg-1');
    await applyTelnyxEvent(deps, event(callId, 'call.speak.ended', { status: 'completed' }));
    expect((await deps.calls.get(callId))!.ctx.state).toBe('ended');
    expect((await deps.alerts.get(alertId))!.outcome).toBe('acknowledged');
  });

  it('the watchdog: armed per tick, re-prompts a stalled leg once, ignores a tick the call has left', async () => {
    const { callId } = await dialed();
    await applyTelnyxEvent(deps, event(callId, 'call.answered'));
    const record = (await deps.calls.get(callId))!;
    const delay = watchdogDelayMs(record, settings)!;
    expect(delay).toBeGreaterThan(settings.stallMs);
    expect(delay).toBeLessThanOrEqual(settings.stallMs + 200 * settings.speechMsPerChar);
    const armed = await deps.queues.byName['call-watchdog'].getJob(`watchdog-${callId}-t${record.ctx.tick}`);
    expect(armed?.opts.delay).toBeGreaterThan(0);
    expect(await runWatchdog(deps, { callId, tick: record.ctx.tick - 1 })).toMatchObject({ fired: false });
    expect(await runWatchdog(deps, { callId, tick: record.ctx.tick })).toMatchObject({ fired: true, state: 'briefing' });
    expect(telnyx.actions().at(-1)).toBe('gather_using_speak');
    const again = (await deps.calls.get(callId))!;
    expect(await runWatchdog(deps, { callId, tick: again.ctx.tick })).toMatchObject({ fired: true, state: 'closing' });
    expect(telnyx.sent.at(-1)!.body['payload']).toMatch(/^Sorry/);
  });

  it('retries spent: the live leg hears the apology and the alert says failed at once', async () => {
    const { alertId, callId } = await dialed();
    await applyTelnyxEvent(deps, event(callId, 'call.answered'));
    await failCallOfEvent(deps, event(callId, 'call.speak.ended').payload, 'the call could not continue: Telnyx 503');
    expect(telnyx.sent.at(-1)).toMatchObject({ action: 'speak', body: expect.objectContaining({ stop: 'all' }) });
    const alert = (await deps.alerts.get(alertId))!;
    expect(alert).toMatchObject({ outcome: 'failed', status: 'failed' });
    expect(await deps.queues.byName['call-watchdog'].getJobCounts('delayed')).toMatchObject({ delayed: expect.any(Number) });
  });

  it('a dial answered without ids: the leg is named by its first webhook', async () => {
    telnyx.answerDialsWith({ callControlId: null, callLegId: null, callSessionId: null });
    const { callId } = await dialed();
    expect((await deps.calls.get(callId))!.ccid.vp).toBeNull();
    await applyTelnyxEvent(deps, event(callId, 'call.answered', {}, 'vp', 'v3:named-by-webhook'));
    expect((await deps.calls.get(callId))!.ccid.vp).toBe('v3:named-by-webhook');
    expect(telnyx.sent.find((s) => s.action === 'speak')!.ccid).toBe('v3:named-by-webhook');
  });

  it('an event for a leg of ours whose record is gone hangs that leg up', async () => {
    const orphan = event('call-al_missing-r0a0', 'call.answered', {}, 'vp', 'v3:orphan');
    expect(await applyTelnyxEvent(deps, orphan)).toMatchObject({ applied: false, reason: 'unknown_call' });
    expect(telnyx.sent).toEqual([expect.objectContaining({ action: 'hangup', ccid: 'v3:orphan' })]);
  });
});
