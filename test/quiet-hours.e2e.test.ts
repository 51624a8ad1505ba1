import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { startCallStack, VP, type CallStack } from './support/call-stack.ts';

// A quiet window around the current UTC hour, so the test means the same whenever it runs.
const h = new Date().getUTCHours();
const pad = (n: number) => String((n + 24) % 24).padStart(2, '0');
const window = `${pad(h - 1)}:00-${pad(h + 2)}:00`;

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack({ env: { VP_TIMEZONE: 'UTC', QUIET_HOURS: window, URGENT_AMOUNT: '500000' } });
  s.telnyx.setPersona(VP, personas.vpDismisses);
}, 60_000);
afterAll(async () => s?.close());

describe("quiet hours in the VP's time zone", () => {
  it('defers an ordinary alert to the morning without ringing', async () => {
    const id = await s.raiseAlert({ deal_name: 'Small', account: 'Quiet Co', amount: 60000, stage: 'Negotiation' });
    const alert = await waitUntil(async () => {
      const a = await s.alert(id);
      return a.timeline.some((t: { event: string }) => t.event === 'deferred') ? a : undefined;
    });
    const deferred = alert.timeline.find((t: { event: string }) => t.event === 'deferred');
    expect(Date.parse(deferred.until)).toBeGreaterThan(Date.now() + 3600_000);
    expect(alert.status).toBe('waiting');
    expect(s.transcript()).toEqual([]);
  });

  it('rings at once for a deal at or above URGENT_AMOUNT', async () => {
    const id = await s.raiseAlert({ deal_name: 'Huge', account: 'Urgent Co', amount: 750000, stage: 'Negotiation' });
    const alert = await s.waitForOutcome(id);
    expect(alert.outcome).toBe('acknowledged');
    expect(s.transcript()[0]).toBe('dial:vp');
  });
});
