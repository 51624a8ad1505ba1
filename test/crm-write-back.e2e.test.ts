import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@dda/logger';
import { createMergeClient } from '@dda/merge';
import { personas } from '@dda/sandbox/telnyx-sim';
import { createAlertPlans } from '@dda/routing';
import { createAlertsRepository } from '@dda/store';
import { MAX_NOTE_POSTS, noteReference, runFollowUp, type FollowUpDeps } from '@dda/follow-ups';
import { waitUntil } from '@dda/testkit';
import { startCallStack, type CallStack } from './support/call-stack.ts';

/*
 * The note on the deal, end to end: real ingress, dialer, call and briefing workers, the Telnyx and Merge
 * simulators, a real Redis. The Merge simulator stores what is POSTed and can keep a write while never
 * answering it — the case that decides whether a note can be written twice.
 */
const TOKEN = 'calls-account-token';
let s: CallStack;
let dealId: string;

beforeAll(async () => {
  // A short job lock: a worker killed mid-job hands the job to the next one within seconds.
  s = await startCallStack({ withBriefingWorker: true, timeScale: 0.03, env: { JOB_LOCK_MS: '2000' } });
  dealId = s.merge.listDeals().find((d) => d.name === 'Northwind - Platform Expansion FY26')!.id;
}, 90_000);
afterAll(async () => s?.close());
beforeEach(() => {
  s.merge.setFaults({});
  s.merge.setNoteWrites(TOKEN, true);
});

const notePosts = () => s.merge.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/crm/v1/notes'));
const notesOf = (alertId: string) => s.merge.listNotes(dealId).filter((n) => (n.content ?? '').includes(noteReference(alertId)));

async function alertOnDeal(): Promise<string> {
  return s.raiseAlert({ deal_id: dealId });
}

async function timelineEvent(alertId: string, event: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  return waitUntil(
    async () => (await s.alert(alertId)).timeline.find((t: { event: string }) => t.event === event),
    timeoutMs,
    `${event} on ${alertId}`,
  );
}

/** The follow-up worker's own function, run here as a redelivered job would run it. */
function followUpDepsForTest(): FollowUpDeps {
  const merge = createMergeClient({ baseUrl: s.merge.url, apiKey: 'calls-merge-key', accountToken: TOKEN, maxRetries: 0 });
  return {
    alerts: createAlertsRepository(s.redis, s.prefix),
    redis: s.redis,
    prefix: s.prefix,
    log: createLogger({ service: 'test', level: 'silent' }),
    notes: {
      enabled: true,
      forAccount: async () => merge,
    },
    sms: {
      mode: 'off',
      from: '+15550100000',
      messagingProfileId: null,
      webhookUrl: `${s.base}/webhooks/messaging`,
      plans: createAlertPlans(s.redis, s.prefix),
      send: async () => {
        throw new Error('no texts here');
      },
      definitelyNotSent: () => false,
      describe: () => 'unused',
    },
  };
}

describe('CRM write-back: one Merge Note per alert outcome', () => {
  it('a connected alert leaves exactly one note on the opportunity, with the account token, naming the outcome and the AE; five redeliveries add none', async () => {
    s.telnyx.setPersona('+15550100001', personas.vpSaysConnect);
    s.telnyx.setPersona('+15550100102', personas.aeAccepts);
    const id = await alertOnDeal();
    const done = await waitUntil(async () => {
      const a = await s.alert(id);
      return a.outcome === 'connected' && a.status === 'completed' ? a : undefined;
    }, 30_000);
    expect(done.outcome).toBe('connected');
    await timelineEvent(id, 'note.written');

    const notes = notesOf(id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.content).toMatch(/connected to the account executive/);
    expect(notes[0]!.content).toMatch(/Dana Whitfield/);
    expect(notes[0]!.content).toMatch(/they talked \d+/);
    const posts = notePosts().filter((r) => r.status === 201);
    expect(posts.length).toBeGreaterThanOrEqual(1);
    expect(posts.every((r) => r.accountToken === TOKEN)).toBe(true);

    // Redelivered: the same job five more times (the queue drops them by id) and the follow-up itself five times.
    const { scheduleFollowUp, createQueues, closeQueues } = await import('@dda/queues');
    const queues = createQueues(s.redis, s.prefix);
    for (let i = 0; i < 5; i++) expect((await scheduleFollowUp(queues, id, 'connected')).duplicate).toBe(true);
    await closeQueues(queues);
    const deps = followUpDepsForTest();
    for (let i = 0; i < 5; i++) expect((await runFollowUp(deps, { alertId: id, outcome: 'connected' })).done).toBe(true);
    expect(notesOf(id)).toHaveLength(1);
  }, 60_000);

  it('the writer killed -9 while Merge holds a note it never answered for: the next worker finds it, no second note', async () => {
    s.telnyx.setPersona('+15550100001', personas.vpDismisses);
    s.merge.setFaults({ notes: 'timeout_after_write' });
    const id = await alertOnDeal();
    // Merge has stored the note and is holding the answer: the worker is between its POST and its marker.
    // (The simulator logs a request when it answers, so the held POST shows in its notes, not its request log.)
    await waitUntil(async () => (notesOf(id).length === 1 ? true : undefined), 30_000, 'the held POST');
    await s.kill9('briefing-worker');
    s.merge.setFaults({});
    await s.start('briefing-worker');
    const written = await timelineEvent(id, 'note.written', 30_000);
    expect(written.found_after_unknown).toBe(true);
    expect(notesOf(id)).toHaveLength(1);
  }, 90_000);

  it('a write whose fate stays unknown and is not in the listing is sent once more at most: the bound is one extra note', async () => {
    s.telnyx.setPersona('+15550100001', personas.vpDismisses);
    // Every POST stores its note and answers 500, and the listing never shows them: the worst case.
    s.merge.setFaults({ notes: 'server_error_after_write' });
    const deps = followUpDepsForTest();
    const hidden = {
      ...deps,
      notes: { ...deps.notes, forAccount: async () => ({ ...(await deps.notes.forAccount(null))!, listNotes: async () => [] }) },
    };
    const id = await alertOnDeal();
    await waitUntil(async () => ((await s.alert(id)).status === 'completed' ? true : undefined), 30_000);
    const outcome = (await s.alert(id)).outcome as string;
    // The worker's own job is racing us here: what counts is the total, whoever wrote.
    for (let i = 0; i < 6; i++) await runFollowUp(hidden, { alertId: id, outcome }).catch(() => undefined);
    await timelineEvent(id, 'note.failed', 30_000);
    expect(notesOf(id).length).toBeGreaterThanOrEqual(1);
    expect(notesOf(id).length).toBeLessThanOrEqual(MAX_NOTE_POSTS);
  }, 60_000);

  it('an account without note-write permission: the meta check says so, no write is attempted, the alert says why', async () => {
    s.telnyx.setPersona('+15550100001', personas.vpDismisses);
    s.merge.setNoteWrites(TOKEN, false);
    // The permission is checked once per account and remembered: forget what the earlier tests learnt.
    const keys = await s.redis.keys(`${s.prefix}:merge-note-meta:*`);
    if (keys.length) await s.redis.del(...keys);
    const before = notePosts().length;
    const id = await alertOnDeal();
    const skipped = await timelineEvent(id, 'note.skipped');
    expect(skipped.reason).toMatch(/cannot write notes/);
    expect(notePosts().length).toBe(before);
    expect(s.merge.requests.some((r) => r.method === 'GET' && r.path.endsWith('/crm/v1/notes/meta/post'))).toBe(true);
    const accounts = await (
      await fetch(`${s.base}/accounts`, { headers: { authorization: 'Bearer calls-token-0123456789abcdef' } })
    ).json();
    expect((accounts as { fallback: { note_writes: unknown } }).fallback.note_writes).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/cannot make the request/),
    });
  }, 60_000);
});
