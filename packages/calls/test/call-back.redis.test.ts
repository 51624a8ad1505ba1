import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { closeQueues, dialJobId } from '@dda/queues';
import type { NewAlert } from '@dda/store';
import { encodeClientState } from '@dda/telnyx';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import type { CallDeps } from '../src/call-deps.ts';
import { answerCallBack, callBackSnoozeRound } from '../src/call-back.ts';
import { applyTelnyxEvent } from '../src/apply-call-event.ts';
import { recordingTelnyx } from './support/recording-telnyx.ts';
import { envRouting, testCallDeps, testCallSettings } from './support/test-call-deps.ts';

/* A call back against real Redis and a recording double of the Telnyx boundary: what is sent, what is stored. */
const VP = '+15550100001';
let redis: Redis;
let prefix: string;
let deps: CallDeps;
let telnyx: ReturnType<typeof recordingTelnyx>;

beforeAll(async () => {
  redis = new Redis(await testRedisUrl(), { maxRetriesPerRequest: null });
  prefix = uniquePrefix('callback');
  telnyx = recordingTelnyx();
  deps = testCallDeps(redis, prefix, {
    telnyx: telnyx.commands,
    settings: testCallSettings({ vpNumber: VP, vpName: 'Jordan' }),
    routing: envRouting(redis, prefix, { number: VP, name: 'Jordan' }),
    service: 'callback-test',
  });
});
afterAll(async () => {
  await closeQueues(deps.queues);
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const missed = async (): Promise<string> => {
  const doc: NewAlert = {
    source: 'manual',
    reason: 'manual alert',
    reasons: ['manual'],
    deal: {
      id: 'd1',
      name: 'Expansion',
      amount: 1000,
      currency: null,
      stage: 'Negotiation',
      previous_stage: null,
      account: 'Acme',
      owner: null,
      close_date: null,
    },
  };
  const id = await deps.alerts.createManual(doc);
  await deps.alerts.setOutcome(id, 'no_answer', 'nobody reached', 'completed');
  return id;
};

describe('a call back (real Redis)', () => {
  it('a number that is no recipient is rejected: one command, no record of a deal', async () => {
    const before = telnyx.sent.length;
    const r = await answerCallBack(deps, { ccid: 'v3:stranger', from: '+15550199999', attestation: 'A', validated: true });
    expect(r).toMatchObject({ answered: false, reason: 'unknown_caller' });
    expect(telnyx.sent.slice(before).map((s) => s.action)).toEqual(['reject']);
  });

  it('"remind me later" on a call back schedules a reminder of that alert, and the missed outcome becomes snoozed', async () => {
    const id = await missed();
    const r = await answerCallBack(deps, { ccid: 'v3:vp-in', from: VP, attestation: 'A', validated: true });
    if (!r.answered) throw new Error(r.reason);
    expect(r.open).toBeGreaterThanOrEqual(1);
    let n = 0;
    const ev = (eventType: string, payload: Record<string, unknown> = {}) =>
      applyTelnyxEvent(deps, {
        eventId: `cb-${++n}`,
        eventType,
        occurredAt: null,
        receivedAt: new Date().toISOString(),
        payload: { call_control_id: 'v3:vp-in', client_state: encodeClientState({ callId: r.callId, leg: 'vp', step: 0 }), ...payload },
      });
    await ev('call.answered');
    await ev('call.speak.ended', { status: 'completed' });
    await ev('call.gather.ended', { digits: '3', status: 'valid' });
    await ev('call.speak.ended', { status: 'completed' }); // the goodbye: the machine hangs up
    const record = (await deps.calls.get(r.callId))!;
    expect(record.ctx.state).toBe('ended');
    const reminder = await deps.queues.byName.dials.getJob(dialJobId({ alertId: id, round: callBackSnoozeRound(record), attempt: 0 }));
    expect(reminder?.data).toMatchObject({ alertId: id, attempt: 0 });
    const alert = (await deps.alerts.get(id))!;
    expect(alert.outcome).toBe('snoozed');
    expect(alert.timeline.map((t) => t.event)).toEqual(expect.arrayContaining(['callback.heard', 'snoozed']));
  });
});
