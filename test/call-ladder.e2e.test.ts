import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { AE, BACKUP, startCallStack, VP, type CallStack } from './support/call-stack.ts';

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack({ env: { ESCALATION_NUMBERS: BACKUP, CALL_RETRY_ATTEMPTS: '1' } });
}, 60_000);
afterAll(async () => s?.close());

type Entry = { event: string; at: string; text?: string; callee?: string };

describe('retries, escalation and one live call per VP', () => {
  it('after the VP\'s attempts run out the escalation number is called with the same conversation', async () => {
    s.telnyx.commands.length = 0;
    s.telnyx.setPersona(VP, personas.vpNoAnswer);
    s.telnyx.setPersona(BACKUP, personas.vpPressesOne);
    s.telnyx.setPersona(AE, personas.aeAccepts);
    const id = await s.raiseAlert();
    const alert = await s.waitForOutcome(id);
    await s.telnyx.whenIdle({ minCalls: 1 });
    expect(s.transcript().slice(0, 4)).toEqual(['dial:vp', 'dial:vp', 'dial:backup', 'transcription_start:backup']);
    expect(s.transcript()).toContain('bridge:backup');
    expect(alert.outcome).toBe('escalated');
    const dialing = alert.timeline.filter((t: Entry) => t.event === 'call.dialing').map((t: Entry) => t.callee);
    expect(dialing).toEqual(['vp', 'vp', 'escalation']);
  });

  it('alerts that arrive during a live call wait their turn, and the next call says how many are waiting', async () => {
    s.telnyx.setPersona(VP, personas.vpDismisses);
    const ids = await Promise.all([1, 2, 3].map((n) => s.raiseAlert({ deal_name: `Deal ${n}`, account: `Account ${n}`, amount: 90000 + n, stage: 'Negotiation' })));
    const alerts = await Promise.all(ids.map((id) => s.waitForOutcome(id, 30_000)));
    expect(alerts.map((a) => a.outcome)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    // Calls never overlap on the VP's line: each starts after the previous one ended.
    const spans = alerts
      .map((a) => ({
        start: Date.parse(a.timeline.find((t: Entry) => t.event === 'call.dialing').at),
        end: Date.parse(a.timeline.find((t: Entry) => t.event === 'call.ended').at),
        waited: a.timeline.some((t: Entry) => t.event === 'waiting'),
        said: a.timeline.filter((t: Entry) => t.event === 'said').map((t: Entry) => t.text).join(' '),
      }))
      .sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    expect(spans.filter((x) => x.waited)).toHaveLength(2);
    expect(spans[1]!.said).toMatch(/One more alert is waiting/);
    await waitUntil(async () => (await s.telnyx.whenIdle({ minCalls: 1 }).then(() => true)), 20_000);
  });

  it('a burst of Telnyx 503s on the dial is retried with backoff and never places a second call', async () => {
    await s.telnyx.whenIdle();
    s.telnyx.commands.length = 0;
    s.telnyx.setPersona(VP, personas.vpDismisses);
    s.telnyx.setFaults({ commandStatus: 503, commandFailCount: 4 });
    const id = await s.raiseAlert();
    const alert = await s.waitForOutcome(id, 30_000);
    s.telnyx.setFaults({});
    expect(alert.outcome).toBe('acknowledged');
    expect(s.telnyx.rejectedCommands.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(4);
    expect(s.transcript().filter((c) => c === 'dial:vp')).toHaveLength(1);
  });
});
