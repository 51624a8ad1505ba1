import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { closeQueues } from '@dda/queues';
import type { DialPlan } from '@dda/routing';
import type { AlertOutcome, NewAlert } from '@dda/store';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import type { CallDeps } from '../src/call-deps.ts';
import { openAlertsOf } from '../src/call-back.ts';
import { envRouting, testCallDeps, testCallSettings } from './support/test-call-deps.ts';

/* Which alerts a call back reads out: real Redis, alerts created at chosen times with chosen plans and outcomes. */
const HOUR = 3600_000;
const NOW = Date.parse('2026-12-02T12:00:00Z');

let redis: Redis;
let prefix: string;
let deps: CallDeps;
beforeAll(async () => {
  redis = new Redis(await testRedisUrl(), { maxRetriesPerRequest: null });
  prefix = uniquePrefix('open');
  deps = testCallDeps(redis, prefix, {
    telnyx: {} as CallDeps['telnyx'],
    settings: testCallSettings({ vpNumber: '+15550100001' }),
    routing: envRouting(redis, prefix, { number: '+15550100001', name: 'VP' }),
    service: 'open-alerts-test',
  });
});
afterAll(async () => {
  await closeQueues(deps.queues);
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const doc = (name: string): NewAlert => ({
  source: 'webhook',
  reason: 'moved',
  reasons: ['entered_alert_stage'],
  deal: {
    id: name,
    name,
    amount: 1,
    currency: null,
    stage: 'Negotiation',
    previous_stage: null,
    account: 'A',
    owner: null,
    close_date: null,
  },
});
const plan = (...ids: string[]): DialPlan => ({
  route: 'r',
  version: 1,
  call: ids.map((id) => ({ id, name: id, phone: `+1555010${id.length}000`, timezone: 'UTC', quiet_hours: '', tries: 1 })),
  ae: null,
});

async function alertAt(hoursAgo: number, outcome: AlertOutcome | null, calls: string[]): Promise<string> {
  const id = await deps.alerts.createManual(doc(`deal-${hoursAgo}-${outcome}`), new Date(NOW - hoursAgo * HOUR));
  if (outcome) await deps.alerts.setOutcome(id, outcome, null, 'completed');
  await deps.routing!.plans.claim(id, plan(...calls));
  return id;
}

describe('the open alerts a call back reads', () => {
  it('the caller’s own, not yet heard, of the lookback window, newest first', async () => {
    const missed2h = await alertAt(2, 'no_answer', ['vp']);
    const voicemail1h = await alertAt(1, 'voicemail', ['cro', 'vp']);
    await alertAt(3, 'connected', ['vp']); // heard
    await alertAt(4, 'acknowledged', ['vp']); // heard
    await alertAt(5, 'no_answer', ['cro']); // not the caller's
    await alertAt(30, 'no_answer', ['vp']); // older than the window
    const snoozed6h = await alertAt(6, 'snoozed', ['vp']);
    await alertAt(0.5, null, ['vp']); // still being called: not open to a call back yet
    const open = await openAlertsOf(deps, 'vp', 24 * HOUR, NOW);
    expect(open.map((a) => a.id)).toEqual([voicemail1h, missed2h, snoozed6h]);
    expect(await openAlertsOf(deps, 'vp', 1.5 * HOUR, NOW)).toHaveLength(1);
    expect(await openAlertsOf(deps, 'nobody', 24 * HOUR, NOW)).toEqual([]);
  });
});
