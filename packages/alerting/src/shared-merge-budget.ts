import type { RedisClient } from '@dda/redis';
import { createMergeBudget, type MergeBudget } from '@dda/merge';
import { createMetricBatch } from '@dda/metrics';
import type { Logger } from '@dda/logger';

/**
 * The Merge budget every process builds the same way (ingress, briefing-worker): one Redis budget per linked
 * account, MERGE_RATE_LIMIT_PER_MINUTE, its grants, waits and 429s counted for /metrics.
 */
export function createSharedMergeBudget(o: { redis: RedisClient; prefix: string; limitPerMinute: number; log: Logger }): {
  budget: MergeBudget;
  flush: () => Promise<void>;
} {
  const batch = createMetricBatch(o.redis, o.prefix);
  const budget = createMergeBudget({
    redis: o.redis,
    prefix: o.prefix,
    limitPerMinute: o.limitPerMinute,
    onGrant: (priority, g) => {
      batch.increment('dda_merge_requests_total', { priority });
      batch.observe('dda_merge_budget_remaining', {}, g.remaining);
      batch.observe('dda_merge_budget_wait_seconds', { priority }, g.waitedMs / 1000);
    },
    onThrottled: () => {
      batch.increment('dda_merge_throttled_total', {});
      o.log.warn({}, 'Merge answered 429: the linked account is paused');
    },
    onBlocked: (account) => o.log.warn({ account }, 'repeated Merge 4xx: calls to this linked account stop for a minute'),
  });
  return { budget, flush: batch.flush };
}
