import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { snapshotOf, type TriageRules } from '@dda/domain';
import { toDealFacts, toDealView, type MergeClient } from '@dda/merge';
import { enqueue, type Queues } from '@dda/queues';
import type { AlertsRepository } from '@dda/store';
import type { Logger } from '@dda/logger';

export type PollDeps = {
  merge: MergeClient;
  redis: Redis;
  prefix: string;
  queues: Queues;
  alerts: AlertsRepository;
  rules: TriageRules;
  log: Logger;
};

/** Merge's modified_at is its sync time; a small overlap covers clock skew and in-flight syncs. */
const OVERLAP_MS = 60_000;

/**
 * The safety net for missed webhooks: every deal Merge modified since the last poll goes through the same
 * triage queue. The very first poll only records what each deal looks like, so installing the service does
 * not ring the VP for every deal already sitting in negotiation.
 */
export async function pollModifiedDeals(deps: PollDeps, now = new Date()): Promise<{ baseline: boolean; queued: number; recorded: number }> {
  const cursorKey = `${deps.prefix}:poll:last`;
  const last = await deps.redis.get(cursorKey);
  let queued = 0;
  let recorded = 0;
  let cursor: string | undefined;
  const modifiedAfter = last ? new Date(Date.parse(last) - OVERLAP_MS).toISOString() : undefined;
  do {
    const page = await deps.merge.listOpportunities({ cursor, pageSize: 100, ...(modifiedAfter ? { modifiedAfter } : {}) });
    for (const opp of page.results) {
      if (!last) {
        recorded += (await recordBaseline(deps, opp)) ? 1 : 0;
        continue;
      }
      const version = createHash('sha256').update(`${opp.id}|${opp.modified_at ?? ''}`).digest('hex').slice(0, 32);
      const res = await enqueue(
        deps.queues,
        'crm-events',
        { source: 'poll', opportunityId: opp.id, event: 'changed', modifiedAt: opp.modified_at ?? null, receivedAt: now.toISOString() },
        { jobId: `poll-${version}` },
      );
      if (!res.duplicate) queued++;
    }
    cursor = page.next ?? undefined;
  } while (cursor);
  await deps.redis.set(cursorKey, now.toISOString());
  deps.log.info({ baseline: !last, queued, recorded }, 'backstop poll done');
  return { baseline: !last, queued, recorded };
}

async function recordBaseline(deps: PollDeps, opp: Parameters<typeof toDealView>[0]): Promise<boolean> {
  const view = toDealView(opp);
  if (await deps.alerts.getSnapshot(view.id)) return false;
  const res = await deps.alerts.recordSighting({
    dealId: view.id,
    expectedVersion: 0,
    snapshot: { ...snapshotOf(toDealFacts(view), deps.rules), modifiedAt: view.modifiedAt, seenAt: new Date().toISOString() },
  });
  return res.kind === 'unchanged';
}
