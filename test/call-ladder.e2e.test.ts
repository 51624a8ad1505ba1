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
  it("after the VP's attempts run out the escalation number is called with the same conversation", async () => {
    s.telnyx.commands.length = 0;
    s.telnyx.setPersona(VP, personas.vpNoAnswer);
    s.telnyx.setPersona(BACKUP, personas.vpPressesOne);
    s.telnyx.setPersona(AE, personas.aeAccepts);
    const id = await s.raiseAlert();
    const alert = await s.waitForOutcome(id);
    await s.telnyx.whenIdle({ minCalls: 1 });
    expect(s.transcript().slice(0, 4)).toEqual(['dial:vp', 'dial:vp', 'dial:backup', 'speak:backup']);
    expect(s.transcript()).toContain('bridge:backup');
    expect(alert.outcome).toBe('escalated');
    const dialing = alert.timeline.filter((t: Entry) => t.event === 'call.dialing').map((t: Entry) => t.callee);
    expect(dialing).toEqual(['vp', 'vp', 'escalation']);
  });

  it('alerts that arrive during a live call wait their turn and then come together as one digest call', async () => {
    await s.telnyx.whenIdle();
    // Says "next" to hear the following alert of a digest, then "got it".
    s.telnyx.setPersona(VP, { answer: 'human', ringMs: 3000, responses: [{ say: 'next' }, { say: 'got it' }] });
    const first = await s.raiseAlert({ deal_name: 'Deal 1', account: 'Account 1', amount: 90001, stage: 'Negotiation' });
    await waitUntil(async () => s.telnyx.commands.some((c) => c.action === 'dial' && c.to === VP) || undefined, 10_000, 'the first call');
    const waiting = await Promise.all(
      [2, 3].map((n) => s.raiseAlert({ deal_name: `Deal ${n}`, account: `Account ${n}`, amount: 90000 + n, stage: 'Negotiation' })),
    );
    const alerts = await Promise.all([first, ...waiting].map((id) => s.waitForOutcome(id, 30_000)));
    expect(alerts.map((a) => a.outcome)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    const callOf = (a: Record<string, any>) => a.timeline.find((t: Entry) => t.event === 'call.dialing') as Entry & { call_id: string };
    const calls = new Map<string, { start: number; end: number; alerts: Record<string, any>[] }>();
    for (const a of alerts) {
      const c = callOf(a);
      const end = Date.parse(a.timeline.find((t: Entry) => t.event === 'call.ended').at);
      const entry = calls.get(c.call_id) ?? { start: Date.parse(c.at), end, alerts: [] };
      entry.alerts.push(a);
      calls.set(c.call_id, entry);
    }
    const ordered = [...calls.values()].sort((a, b) => a.start - b.start);
    expect(ordered.map((c) => c.alerts.length)).toEqual([1, 2]);
    // Never two calls on the VP's line at once.
    expect(ordered[1]!.start).toBeGreaterThanOrEqual(ordered[0]!.end);
    expect(waiting.every((id) => alerts.find((a) => a.id === id)!.timeline.some((t: Entry) => t.event === 'waiting'))).toBe(true);
    const digest = ordered[1]!.alerts.flatMap((a) => a.timeline).find((t: Entry & { prompt?: string }) => t.prompt === 'headline');
    expect(digest.text).toMatch(/^You have two new deal alerts\. The largest first\. Deal alert\. Account 3/);
    // "next" moved the call on to the second alert of the digest, which then got the VP's answer.
    const second = ordered[1]!.alerts.find((a) => a.deal.account === 'Account 2')!;
    expect(second.timeline.some((t: Entry) => t.event === 'digest.next')).toBe(true);
    expect(
      second.timeline.some((t: Entry & { prompt?: string }) => t.prompt === 'briefing' && /^Alert two of two\./.test(t.text ?? '')),
    ).toBe(true);
    expect(second.outcome_reason).toBeNull();
    expect(ordered[1]!.alerts.find((a) => a.deal.account === 'Account 3')!.outcome_reason).toBe('heard in a digest call');
    await s.telnyx.whenIdle();
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

  it('when Telnyx keeps failing, the alert ends failed with a reason once the retries run out, and the line is free again', async () => {
    await s.telnyx.whenIdle();
    s.telnyx.commands.length = 0;
    s.telnyx.setPersona(VP, personas.vpDismisses);
    s.telnyx.setFaults({ commandStatus: 503 });
    const id = await s.raiseAlert({ deal_name: 'Unlucky', account: 'Outage Co', amount: 70000, stage: 'Negotiation' });
    const alert = await s.waitForOutcome(id, 110_000);
    s.telnyx.setFaults({});
    expect(alert.outcome).toBe('failed');
    expect(alert.status).toBe('failed');
    expect(alert.outcome_reason).toMatch(/could not place the call/);
    expect(s.telnyx.commands.filter((c) => c.action === 'dial')).toEqual([]);
    const next = await s.raiseAlert({ deal_name: 'Lucky', account: 'Recovered Co', amount: 70000, stage: 'Negotiation' });
    expect((await s.waitForOutcome(next, 30_000)).outcome).toBe('acknowledged');
  }, 150_000);
});
