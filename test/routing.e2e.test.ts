import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRepDirectory } from '@dda/sandbox/seed';
import { personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { AE, AE_EMAIL, BACKUP, startCallStack, TOKEN, VP, type CallStack } from './support/call-stack.ts';

/*
 * Who gets the call, end to end: real ingress, dialer and call-worker processes, the Telnyx and Merge
 * simulators and Redis. The routing is changed over HTTP while the services run; none is restarted.
 */
const CRO = '+15550100400';
type Entry = { event: string; at: string; [k: string]: any };

let s: CallStack;
beforeAll(async () => {
  // Simulated time at a tenth of real time: an unanswered ring lasts 3 s, long enough to change the routing meanwhile.
  s = await startCallStack({ timeScale: 0.1, env: { CALL_RETRY_ATTEMPTS: '0' } });
}, 60_000);
afterAll(async () => s?.close());

const auth = { authorization: `Bearer ${TOKEN}` };
async function putRouting(doc: unknown): Promise<number> {
  const res = await fetch(`${s.base}/routing`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(doc),
  });
  const body = (await res.json()) as { version: number };
  if (res.status !== 200) throw new Error(`PUT /routing answered ${res.status}: ${JSON.stringify(body)}`);
  return body.version;
}
const recipients = [
  { id: 'vp', name: 'Jordan Lee', phone: VP, timezone: 'America/New_York' },
  { id: 'cro', name: 'Alex Kim', phone: CRO },
  { id: 'backup', name: 'Sam Ortiz', phone: BACKUP },
];
const reps = defaultRepDirectory;
const deal = (name: string, amount: number) => ({
  deal_name: name,
  account: `${name} Inc`,
  amount,
  stage: 'Negotiation/Review',
  owner_email: AE_EMAIL,
});
const events = (a: Record<string, any>, name: string): Entry[] => a.timeline.filter((t: Entry) => t.event === name);
const pids = () => s.services.filter((x) => !x.exited()).map((x) => x.proc.pid);

describe('routing applied per alert, without restarts', () => {
  it('acceptance 3: a $900,000 and a $120,000 deal at once ring the CRO and the VP at the same time, each alert naming its route', async () => {
    await putRouting({
      recipients,
      routes: [
        { name: 'big deals', match: { min_amount: 500000 }, call: ['cro', 'vp'] },
        { name: 'everything else', match: {}, call: ['vp'] },
      ],
      reps,
    });
    // Both pick up after a ring and say "got it": each call lasts a few seconds.
    s.telnyx.setPersona(CRO, personas.vpDismisses);
    s.telnyx.setPersona(VP, personas.vpDismisses);
    s.telnyx.commands.length = 0;
    const [big, usual] = await Promise.all([s.raiseAlert(deal('Big', 900_000)), s.raiseAlert(deal('Usual', 120_000))]);
    const [a, b] = await Promise.all([s.waitForOutcome(big!, 30_000), s.waitForOutcome(usual!, 30_000)]);
    expect([a.outcome, b.outcome]).toEqual(['acknowledged', 'acknowledged']);

    expect(events(a, 'route.matched')).toEqual([
      expect.objectContaining({
        route: 'big deals',
        version: 1,
        call: [
          { id: 'cro', name: 'Alex Kim' },
          { id: 'vp', name: 'Jordan Lee' },
        ],
      }),
    ]);
    expect(events(b, 'route.matched')).toEqual([
      expect.objectContaining({ route: 'everything else', version: 1, call: [{ id: 'vp', name: 'Jordan Lee' }] }),
    ]);
    expect(events(a, 'call.dialing').map((t) => t.name)).toEqual(['Alex Kim']);
    expect(events(b, 'call.dialing').map((t) => t.name)).toEqual(['Jordan Lee']);
    expect(
      s.telnyx.commands
        .filter((c) => c.action === 'dial' && !c.duplicate)
        .map((c) => c.to)
        .sort(),
    ).toEqual([CRO, VP].sort());

    // At the same time: each call started before the other ended (two lines, neither waited for the other).
    const span = (x: Record<string, any>) =>
      [Date.parse(events(x, 'call.dialing')[0]!.at), Date.parse(events(x, 'call.ended')[0]!.at)] as const;
    const [aStart, aEnd] = span(a);
    const [bStart, bEnd] = span(b);
    expect(Math.max(aStart, bStart)).toBeLessThan(Math.min(aEnd, bEnd));
    expect([...events(a, 'waiting'), ...events(b, 'waiting')]).toEqual([]);
    await s.telnyx.whenIdle();
  });

  it('acceptance 5: a routing change while a call is live: that alert finishes on the old routing, the next alert uses the new one', async () => {
    const before = pids();
    const v1 = await putRouting({ recipients, routes: [{ name: 'vp then backup', match: {}, call: ['vp', 'backup'] }], reps });
    s.telnyx.setPersona(VP, personas.vpNoAnswer);
    s.telnyx.setPersona(BACKUP, personas.vpDismisses);
    s.telnyx.setPersona(CRO, personas.vpDismisses);
    s.telnyx.commands.length = 0;
    const first = await s.raiseAlert(deal('Live', 200_000));
    await waitUntil(async () => s.telnyx.commands.some((c) => c.action === 'dial' && c.to === VP) || undefined, 10_000, 'the VP ringing');

    // While the VP's phone rings: from now on everything goes to the CRO.
    const v2 = await putRouting({ recipients, routes: [{ name: 'cro covers', match: {}, call: ['cro'] }], reps });
    expect(v2).toBe(v1 + 1);
    const duringChange = await s.alert(first);
    expect(events(duringChange, 'call.ended')).toEqual([]);

    const a = await s.waitForOutcome(first, 30_000);
    const second = await s.raiseAlert(deal('Next', 200_000));
    const b = await s.waitForOutcome(second, 30_000);

    // The live alert kept its plan: the VP unanswered, then the backup of the old routing, never the CRO.
    expect(events(a, 'route.matched')).toEqual([expect.objectContaining({ route: 'vp then backup', version: v1 })]);
    expect(events(a, 'call.dialing').map((t) => t.recipient)).toEqual(['vp', 'backup']);
    expect(events(a, 'retry.scheduled')).toEqual([expect.objectContaining({ recipient: 'backup', name: 'Sam Ortiz', in_seconds: 0 })]);
    expect(a.outcome).toBe('escalated');
    // The next alert follows the new routing.
    expect(events(b, 'route.matched')).toEqual([expect.objectContaining({ route: 'cro covers', version: v2 })]);
    expect(events(b, 'call.dialing').map((t) => t.recipient)).toEqual(['cro']);
    expect(b.outcome).toBe('acknowledged');
    const dialled = s.telnyx.commands.filter((c) => c.action === 'dial' && !c.duplicate && c.to !== AE).map((c) => c.to);
    expect(dialled).toEqual([VP, BACKUP, CRO]);
    // No service restarted.
    expect(pids()).toEqual(before);
    expect(s.services.every((x) => !x.exited())).toBe(true);
    await s.telnyx.whenIdle();
  });
});
