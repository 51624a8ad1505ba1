import { createHash } from 'node:crypto';
import type { RedisClient } from '@dda/redis';
import type { MergeClient } from '@dda/merge';
import { enqueue, type Queues } from '@dda/queues';
import type { Logger } from '@dda/logger';
import { pollLastKey, type BaselineDeps, type BaselineGate } from './deal-baseline.ts';

export type PollDeps = {
  merge: MergeClient;
  redis: RedisClient;
  prefix: string;
  queues: Queues;
  log: Logger;
  baseline: BaselineGate;
  onSkipped?: BaselineDeps['onSkipped'];
  /** Deals per page; Merge's maximum is 100. */
  pageSize?: number;
  /** The linked account polled (null: the MERGE_ACCOUNT_TOKEN account): carried to triage and the alert. */
  linkedAccountId?: string | null;
};

/** Merge's modified_at is its sync time; a small overlap covers clock skew and in-flight syncs. */
const OVERLAP_MS = 60_000;

/**
 * The safety net for missed webhooks: every deal Merge modified since the last poll goes through the same
 * triage queue. It starts only after the account's baseline (deal-baseline.ts), from the baseline's start.
 * A run saves its cursor after every page, so a crash resumes at that page; a record it cannot read is
 * skipped with a log line and a metric, and the cursor moves on: one odd record never stalls the poll.
 */
export async function pollModifiedDeals(deps: PollDeps, now = new Date()): Promise<{ queued: number; skipped: number; pages: number }> {
  await deps.baseline.ready();
  const last = pollLastKey(deps.prefix, deps.merge.account);
  const run = { since: `${last}:run-since`, startedAt: `${last}:run-started`, cursor: `${last}:run-cursor` };
  // A run cut short keeps its window and cursor; a new run opens a window from the last finished one.
  let since = await deps.redis.get(run.since);
  if (!since) {
    const previous = (await deps.redis.get(last)) ?? now.toISOString();
    since = new Date(Date.parse(previous) - OVERLAP_MS).toISOString();
    await deps.redis.multi().set(run.since, since).set(run.startedAt, now.toISOString()).exec();
  }
  const startedAt = (await deps.redis.get(run.startedAt)) ?? now.toISOString();
  let cursor = (await deps.redis.get(run.cursor)) ?? undefined;
  let queued = 0;
  let skipped = 0;
  let pages = 0;
  for (;;) {
    const page = await deps.merge.listOpportunities(
      { pageSize: deps.pageSize ?? 100, modifiedAfter: since, ...(cursor ? { cursor } : {}) },
      { priority: 'poll' },
    );
    pages++;
    if (page.skipped.length) {
      skipped += page.skipped.length;
      deps.log.warn({ skipped: page.skipped }, 'backstop poll: records Merge sent that we cannot read were skipped');
      deps.onSkipped?.('poll', page.skipped);
    }
    for (const opp of page.results) {
      const version = createHash('sha256')
        .update(`${deps.linkedAccountId ?? ''}|${opp.id}|${opp.modified_at ?? ''}`)
        .digest('hex')
        .slice(0, 32);
      const res = await enqueue(
        deps.queues,
        'crm-events',
        {
          source: 'poll',
          opportunityId: opp.id,
          ...(deps.linkedAccountId ? { linkedAccountId: deps.linkedAccountId } : {}),
          event: 'changed',
          modifiedAt: opp.modified_at ?? null,
          receivedAt: now.toISOString(),
        },
        { jobId: `poll-${version}` },
      );
      if (!res.duplicate) queued++;
    }
    if (!page.next) break;
    cursor = page.next;
    await deps.redis.set(run.cursor, cursor);
  }
  await deps.redis.multi().set(last, startedAt).del(run.since, run.startedAt, run.cursor).exec();
  deps.log.info({ queued, skipped, pages }, 'backstop poll done');
  return { queued, skipped, pages };
}
