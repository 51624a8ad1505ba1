import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '@dda/logger';
import { createMergeClient } from '@dda/merge';
import { createAlertPlans } from '@dda/routing';
import { createMergeSimulator, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { createAlertsRepository } from '@dda/store';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import { knownNotePermission, noteReference, writeNoteOnce, type FollowUpDeps } from '../src/index.ts';

/* writeNoteOnce against the Merge simulator over real HTTP and a real Redis. */
const TOKEN = 'notes-account-token';
let sim: MergeSimulator;
let redis: Redis;
let prefix: string;
let deps: FollowUpDeps;
let dealId: string;

beforeAll(async () => {
  sim = await createMergeSimulator({ apiKey: 'k', accountToken: TOKEN });
  redis = new Redis(await testRedisUrl());
  dealId = sim.listDeals()[0]!.id;
});
afterAll(async () => {
  await sim.close();
  redis.disconnect();
});
beforeEach(async () => {
  prefix = uniquePrefix('notes');
  sim.setFaults({});
  sim.setNoteWrites(TOKEN, true);
  const merge = createMergeClient({ baseUrl: sim.url, apiKey: 'k', accountToken: TOKEN, maxRetries: 0 });
  deps = {
    alerts: createAlertsRepository(redis, prefix),
    redis,
    prefix,
    log: createLogger({ service: 'test', level: 'silent' }),
    notes: {
      enabled: true,
      forAccount: async () => merge,
    },
    sms: {
      mode: 'off',
      from: '+15550100000',
      messagingProfileId: null,
      webhookUrl: 'http://127.0.0.1:9/webhooks/messaging',
      plans: createAlertPlans(redis, prefix),
      send: async () => {
        throw new Error('no texts here');
      },
      definitelyNotSent: () => false,
      describe: () => 'unused',
    },
  };
  return () => deleteKeys(redis, prefix);
});

async function concludedAlert(outcome: 'acknowledged' | 'no_answer' = 'acknowledged') {
  const alerts = createAlertsRepository(redis, prefix);
  const id = await alerts.createManual({
    source: 'manual',
    reason: 'moved to Negotiation',
    reasons: ['manual'],
    deal: {
      id: dealId,
      name: 'Northwind - Platform Expansion FY26',
      amount: 185000,
      currency: 'USD',
      stage: 'Negotiation/Review',
      previous_stage: 'Proposal/Price Quote',
      account: 'Northwind Traders',
      owner: { name: 'Dana Whitfield', email: 'dana.whitfield@northwind.example' },
      close_date: null,
    },
  });
  await alerts.setOutcome(id, outcome, 'heard', 'completed');
  return (await alerts.get(id))!;
}
const ours = (id: string) => sim.listNotes(dealId).filter((n) => (n.content ?? '').includes(noteReference(id)));
const posts = () => sim.requests.filter((r) => r.method === 'POST').length;

describe('writeNoteOnce', () => {
  it('writes one note, and a second run writes nothing', async () => {
    const alert = await concludedAlert();
    expect(await writeNoteOnce(deps, alert, 'acknowledged')).toBe('written');
    expect(await writeNoteOnce(deps, alert, 'acknowledged')).toBe('already_done');
    expect(ours(alert.id)).toHaveLength(1);
  });

  it('DISABLED_MODEL_WRITE at the POST (the scope was removed after the meta check): on the timeline, not retried, the account remembered as unable', async () => {
    const alert = await concludedAlert();
    const merge = (await deps.notes.forAccount(null))!;
    // The meta check said yes a moment ago (cached), then the write scope went.
    await writeNoteOnce(deps, await concludedAlert(), 'acknowledged');
    sim.setNoteWrites(TOKEN, false);
    const before = posts();
    expect(await writeNoteOnce(deps, alert, 'acknowledged')).toBe('failed');
    expect(posts()).toBe(before + 1);
    const failed = (await deps.alerts.get(alert.id))!.timeline.find((t) => t.event === 'note.failed')!;
    expect(failed['problem']).toBe('DISABLED_MODEL_WRITE');
    // Not again for this outcome, and no write at all for the next alert of the account.
    expect(await writeNoteOnce(deps, alert, 'acknowledged')).toBe('already_done');
    expect(await knownNotePermission(redis, prefix, merge.account)).toMatchObject({ canWrite: false });
    expect(await writeNoteOnce(deps, await concludedAlert(), 'acknowledged')).toBe('skipped');
    expect(posts()).toBe(before + 1);
  });

  it('a 201 carrying errors wrote nothing: note.failed, not retried', async () => {
    const alert = await concludedAlert();
    sim.setFaults({ notes: 'errors_in_201' });
    expect(await writeNoteOnce(deps, alert, 'acknowledged')).toBe('failed');
    expect(ours(alert.id)).toHaveLength(0);
    expect(await writeNoteOnce(deps, alert, 'acknowledged')).toBe('already_done');
  });

  it('a 5xx after the write: the retry finds the note instead of writing it again', async () => {
    const alert = await concludedAlert('no_answer');
    sim.setFaults({ notes: 'server_error_after_write' });
    await expect(writeNoteOnce(deps, alert, 'no_answer')).rejects.toThrow(/may have been written/);
    sim.setFaults({});
    expect(await writeNoteOnce(deps, alert, 'no_answer')).toBe('found');
    expect(ours(alert.id)).toHaveLength(1);
    expect(ours(alert.id)[0]!.content).toMatch(/not reached \(no answer\)/);
  });

  it('write-back off: nothing asked of Merge, the alert says why', async () => {
    const alert = await concludedAlert();
    const before = sim.requests.length;
    expect(await writeNoteOnce({ ...deps, notes: { ...deps.notes, enabled: false } }, alert, 'acknowledged')).toBe('skipped');
    expect(sim.requests.length).toBe(before);
    expect((await deps.alerts.get(alert.id))!.timeline.find((t) => t.event === 'note.skipped')!['reason']).toMatch(/CRM_WRITE_BACK=off/);
  });
});
