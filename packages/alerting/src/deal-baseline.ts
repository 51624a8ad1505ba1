import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '@dda/redis';
import { isClosed, snapshotOf, type TriageRules } from '@dda/domain';
import { toDealFacts, toDealView, type MergeClient, type Opportunity, type SkippedRecord } from '@dda/merge';
import type { AlertsRepository } from '@dda/store';
import type { Logger } from '@dda/logger';

export type BaselineDeps = {
  merge: MergeClient;
  redis: RedisClient;
  prefix: string;
  alerts: AlertsRepository;
  rules: TriageRules;
  log: Logger;
  /** Records a list page could not read (metric). */
  onSkipped?: (path: 'baseline' | 'poll', skipped: SkippedRecord[]) => void;
  /** Deals per page; Merge's maximum is 100. */
  pageSize?: number;
};

/** A baseline holder that died (kill -9) is succeeded this long after its last renewal. */
const LOCK_MS = 15_000;

export function baselineKeys(prefix: string, account: string) {
  // `s16`: the deal snapshots' layout (16 shards, packages/store/src/alert-shards.ts). Snapshots written under
  // an earlier layout are not read, so a baseline taken then does not count: the new layout takes its own.
  const k = `${prefix}:baseline:s16:{${account}}`;
  return {
    done: `${k}:done`,
    cursor: `${k}:cursor`,
    startedAt: `${k}:started-at`,
    lock: `${k}:lock`,
    pollLast: pollLastKey(prefix, account),
  };
}

/** Where the backstop poll of an account carries on from: the baseline's start when it finishes. */
export function pollLastKey(prefix: string, account: string): string {
  return `${prefix}:poll:{${account}}:last`;
}

const newer = (a: string | null | undefined, than: string) => !!a && Date.parse(a) > Date.parse(than);

/**
 * The quiet first day: before any webhook of a linked account is triaged, every open deal of the account is
 * recorded as it stands, so a deal that was already in negotiation when the service was installed never rings
 * anyone. Page by page within the Merge budget (poll priority), the cursor saved after each page so a killed
 * worker's successor carries on where it stopped. A deal created after the baseline began is left alone: it is
 * new, and its webhook alerts if it starts in an alert stage. A deal that existed before is recorded as listed,
 * even if edited meanwhile: its webhook, waiting for the baseline, then sees no change. The price: a deal
 * that really moved into an alert stage while the baseline was being taken counts as already there.
 * Answers 'busy' when another process holds the baseline.
 */
export async function runBaseline(deps: BaselineDeps): Promise<{ state: 'done' | 'busy'; recorded: number; pages: number }> {
  const k = baselineKeys(deps.prefix, deps.merge.account);
  if (await deps.redis.exists(k.done)) return { state: 'done', recorded: 0, pages: 0 };
  if ((await deps.redis.set(k.lock, process.pid.toString(), 'PX', LOCK_MS, 'NX')) !== 'OK') return { state: 'busy', recorded: 0, pages: 0 };
  let recorded = 0;
  let pages = 0;
  // Renewed on a timer, not per page: a page can wait for the budget longer than the lock lives.
  const renew = setInterval(() => void deps.redis.pexpire(k.lock, LOCK_MS).catch(() => 0), LOCK_MS / 3);
  try {
    await deps.redis.set(k.startedAt, new Date().toISOString(), 'NX');
    const startedAt = (await deps.redis.get(k.startedAt))!;
    let cursor = (await deps.redis.get(k.cursor)) ?? undefined;
    if (cursor) deps.log.info({ pages_before: true }, 'deal baseline resumes from its saved cursor');
    for (;;) {
      const page = await deps.merge.listOpportunities(
        { pageSize: deps.pageSize ?? 100, ...(cursor ? { cursor } : {}) },
        { priority: 'poll' },
      );
      pages++;
      if (page.skipped.length) {
        deps.log.warn({ skipped: page.skipped }, 'deal baseline: records Merge sent that we cannot read were skipped');
        deps.onSkipped?.('baseline', page.skipped);
      }
      for (const opp of page.results) if (!newer(opp.created_at, startedAt) && (await recordAsItStands(deps, opp))) recorded++;
      if (!page.next) break;
      cursor = page.next;
      await deps.redis.set(k.cursor, cursor);
    }
    await deps.redis.multi().set(k.done, startedAt).set(k.pollLast, startedAt, 'NX').del(k.cursor).exec();
    deps.log.info({ recorded, pages, since: startedAt }, 'deal baseline done: webhooks of this account are triaged from now on');
    return { state: 'done', recorded, pages };
  } finally {
    clearInterval(renew);
    await deps.redis.del(k.lock);
  }
}

async function recordAsItStands(deps: BaselineDeps, opp: Opportunity): Promise<boolean> {
  const view = toDealView(opp);
  const facts = toDealFacts(view);
  if (isClosed(facts) || (await deps.alerts.getSnapshot(view.id))) return false;
  const res = await deps.alerts.recordSighting({
    dealId: view.id,
    expectedVersion: 0,
    snapshot: { ...snapshotOf(facts, deps.rules), modifiedAt: view.modifiedAt, seenAt: new Date().toISOString() },
  });
  return res.kind === 'unchanged';
}

/**
 * Resolves once the account's baseline is done, running it here when no other process is. Errors (Merge down)
 * are logged and retried: the triage jobs waiting on this stay queued, never dropped.
 */
export function createBaselineGate(deps: BaselineDeps, opts: { retryMs?: number } = {}) {
  const k = baselineKeys(deps.prefix, deps.merge.account);
  let done = false;
  let running: Promise<void> | null = null;

  const loop = async () => {
    while (!done) {
      try {
        const res = await runBaseline(deps);
        if (res.state === 'done') done = true;
        else await sleep(250);
      } catch (err) {
        deps.log.warn({ err: (err as Error).message }, 'deal baseline interrupted; retrying');
        await sleep(opts.retryMs ?? 5000);
      }
    }
  };

  return {
    /** Starts the baseline in the background (worker start). */
    start(): Promise<void> {
      running ??= loop().finally(() => (running = null));
      return running;
    },
    async ready(): Promise<void> {
      if (done) return;
      if (await deps.redis.exists(k.done)) {
        done = true;
        return;
      }
      await (running ??= loop().finally(() => (running = null)));
    },
    isDone: () => done,
  };
}

export type BaselineGate = ReturnType<typeof createBaselineGate>;
