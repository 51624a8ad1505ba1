import type { RedisClient } from '@dda/redis';
import { createAccountsStore } from '@dda/accounts';
import type { Config } from '@dda/config';
import { createMetricBatch } from '@dda/metrics';

/**
 * Whether a Merge delivery's linked account can be served: registered with POST /accounts, or covered by the
 * MERGE_ACCOUNT_TOKEN fallback. One that is not is answered 202 and dropped — a 4xx would make Merge retry a
 * delivery we can never act on — and counted as dda_webhooks_ignored_total{reason="unknown_account"}.
 * With a fallback token every account is served, and the hot path asks Redis nothing.
 */
export function createCrmAccountCheck(deps: { redis: RedisClient; config: Config }) {
  const fallback = deps.config.vendors.merge.accountToken !== null;
  const accounts = createAccountsStore({
    redis: deps.redis,
    prefix: deps.config.REDIS_PREFIX,
    secretsKey: deps.config.SECRETS_KEY,
    production: deps.config.NODE_ENV === 'production',
  });
  const metrics = createMetricBatch(deps.redis, deps.config.REDIS_PREFIX);
  return {
    async served(linkedAccountId: string): Promise<boolean> {
      if (fallback || (await accounts.has(linkedAccountId))) return true;
      metrics.increment('dda_webhooks_ignored_total', { source: 'crm', reason: 'unknown_account' });
      return false;
    },
    flush: () => metrics.flush(),
  };
}
