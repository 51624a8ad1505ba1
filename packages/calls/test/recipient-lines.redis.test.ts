import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { closeQueues } from '@dda/queues';
import { createAlertPlans, createRoutingStore, currentRoutingSource, validateRouting } from '@dda/routing';
import type { NewAlert } from '@dda/store';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import type { CallDeps } from '../src/call-deps.ts';
import { placeCall } from '../src/place-call.ts';
import { recordingTelnyx } from './support/recording-telnyx.ts';
import { testCallDeps, testCallSettings } from './support/test-call-deps.ts';

/*
 * Per recipient, against real Redis and a recording double of the Telnyx SDK: quiet hours are the recipient's
 * own, and each recipient's phone is its own line, so alerts for different people ring at once while a second
 * alert for the same person waits.
 */
const NIGHT_OWL = '+15550100700';
const EARLY_BIRD = '+15550100800';
const settings = testCallSettings();
// Quiet from a minute ago until three hours from now in the recipient's zone, whenever this test runs.
const alwaysQuiet = (() => {
  const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(),
  );
  const [h, m] = hhmm.split(':').map(Number);
  const start = new Date(Date.UTC(2000, 0, 1, h!, m!) - 60_000);
  const end = new Date(Date.UTC(2000, 0, 1, h!, m!) + 3 * 3600_000);
  const f = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return `${f(start)}-${f(end)}`;
})();

let redis: Redis;
let prefix: string;
let deps: CallDeps;
let telnyx: ReturnType<typeof recordingTelnyx>;
beforeAll(async () => {
  redis = new Redis(await testRedisUrl(), { maxRetriesPerRequest: null });
  prefix = uniquePrefix('lines');
  telnyx = recordingTelnyx();
  const store = createRoutingStore(redis, prefix);
  const v = validateRouting({
    recipients: [
      { id: 'owl', name: 'Night Owl', phone: NIGHT_OWL, timezone: 'Asia/Tokyo', quiet_hours: alwaysQuiet },
      { id: 'bird', name: 'Early Bird', phone: EARLY_BIRD, timezone: 'America/New_York' },
    ],
    routes: [
      { name: 'asia', match: { owner_emails: ['tokyo@seller.example'] }, call: ['owl'] },
      { name: 'everything else', match: {}, call: ['bird'] },
    ],
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  await store.save(v.routing, { source: 'test' });
  deps = testCallDeps(redis, prefix, {
    telnyx: telnyx.commands,
    settings,
    routing: { current: currentRoutingSource(store, { recipients: [], routes: [], reps: [] }), plans: createAlertPlans(redis, prefix) },
    service: 'lines-test',
  });
});
afterAll(async () => {
  await closeQueues(deps.queues);
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const alert = (owner: string, name: string): NewAlert => ({
  source: 'manual',
  reason: 'manual alert',
  reasons: ['manual'],
  deal: {
    id: `d-${name}`,
    name,
    amount: 100_000,
    currency: null,
    stage: 'Negotiation',
    previous_stage: null,
    account: 'Acme',
    owner: { name: null, email: owner },
    close_date: null,
  },
});

describe('recipients each have their own quiet hours and their own line (real Redis)', () => {
  it('the recipient in quiet hours waits for their morning while another recipient is rung at once', async () => {
    const asia = await deps.alerts.createManual(alert('tokyo@seller.example', 'Asia deal'));
    const usa = await deps.alerts.createManual(alert('nyc@seller.example', 'US deal'));
    expect(await placeCall(deps, { alertId: asia, attempt: 0, round: 0, group: [] })).toEqual({ placed: false, reason: 'quiet_hours' });
    expect(await placeCall(deps, { alertId: usa, attempt: 0, round: 0, group: [] })).toMatchObject({ placed: true });
    const deferred = (await deps.alerts.get(asia))!.timeline.find((t) => t.event === 'deferred');
    expect(deferred).toMatchObject({ reason: 'quiet hours of Night Owl', time_zone: 'Asia/Tokyo' });
    expect(telnyx.sent.filter((s) => s.action === 'dial').map((s) => s.body.to)).toEqual([EARLY_BIRD]);
  });

  it("a second alert for a recipient on a live call waits for that line, while another recipient's line is free", async () => {
    const again = await deps.alerts.createManual(alert('nyc@seller.example', 'Second US deal'));
    expect(await placeCall(deps, { alertId: again, attempt: 0, round: 0, group: [] })).toEqual({ placed: false, reason: 'line_busy' });
    expect((await deps.alerts.get(again))!.timeline.find((t) => t.event === 'waiting')).toMatchObject({
      reason: 'another alert call is live on the line of Early Bird',
    });
    expect(await deps.calls.countWaiting(EARLY_BIRD)).toBe(1);
    expect(await deps.calls.countWaiting(NIGHT_OWL)).toBe(0);
  });
});
