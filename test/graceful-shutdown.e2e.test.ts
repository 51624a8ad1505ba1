import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { queuePrefix } from '@dda/queues';
import { personas } from '@dda/sandbox/telnyx-sim';
import { FIXTURE_IDS } from '@dda/sandbox/seed';
import { waitUntil } from '@dda/testkit';
import { AE, startCallStack, TOKEN, VP, type CallStack } from './support/call-stack.ts';

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack();
  s.telnyx.setPersona(VP, personas.vpSaysConnect);
  s.telnyx.setPersona(AE, personas.aeAccepts);
}, 60_000);
afterAll(async () => s?.close());

const running = (name: string) => s.services.find((x) => x.name === name && !x.exited())!;

describe('SIGTERM drains instead of dropping work', () => {
  it('a worker stopped mid-job finishes the job, then exits 0; the call goes on', async () => {
    // Telnyx answers every command 1.5 s late, so the dial job is still running when the signal comes.
    s.telnyx.setFaults({ commandLatencyMs: 1500 });
    const dialer = running('dialer-worker');
    const id = await s.raiseAlert();
    const dials = new Queue('dials', { connection: s.redis, prefix: queuePrefix(s.prefix, 'dials') });
    try {
      const active = await waitUntil(async () => (await dials.getJobs(['active']))[0], 5000, 'an active dial job');
      const exit = dialer.stop('SIGTERM');
      expect(await exit).toBe(0);
      expect(dialer.lines.some((l) => /shutting down/.test(l))).toBe(true);
      expect(await (await dials.getJob(active.id!))!.getState()).toBe('completed');
    } finally {
      await dials.close();
    }
    s.telnyx.setFaults({});
    // The call itself is in the call-worker's hands and still ends connected.
    expect((await s.waitForOutcome(id)).outcome).toBe('connected');
  });

  it('the ingress stopped mid-request answers that request, refuses new ones, then exits 0', async () => {
    s.merge.setFaults({ latencyMs: 1500 });
    const ingress = running('ingress');
    const inFlight = fetch(`${s.base}/alert`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deal_id: FIXTURE_IDS.deal }),
    });
    // Give it time to reach Merge, where it now waits 1.5 s for the deal.
    await new Promise((r) => setTimeout(r, 300));
    const exit = ingress.stop('SIGTERM');
    await ingress.waitFor(/shutting down/);
    const late = await fetch(`${s.base}/health`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    const res = await inFlight;
    expect(res.status).toBe(202);
    const { alert_id } = (await res.json()) as { alert_id: string };
    expect(await exit).toBe(0);
    s.merge.setFaults({});
    // The alert it accepted was handed to the queues before the process went away.
    const dials = new Queue('dials', { connection: s.redis, prefix: queuePrefix(s.prefix, 'dials') });
    try {
      await waitUntil(
        async () => (await dials.getJobs(['waiting', 'active', 'completed', 'delayed'])).some((j) => j.data.alertId === alert_id),
        5000,
        'the dial job of the accepted alert',
      );
    } finally {
      await dials.close();
    }
  });
});
