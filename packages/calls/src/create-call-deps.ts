import type { RedisClient } from '@dda/redis';
import type { Config } from '@dda/config';
import type { Logger } from '@dda/logger';
import { createMetricHooks } from '@dda/metrics';
import { createQueues } from '@dda/queues';
import { createAlertsRepository } from '@dda/store';
import { createCallCommands } from '@dda/telnyx';
import { createAlertPlans, createRoutingStore, currentRoutingSource, routingFromEnv } from '@dda/routing';
import { callSettingsFrom, type CallDeps } from './call-deps.ts';
import { createCallsRepository } from './calls-repository.ts';
import { loadRepDirectory } from './rep-directory.ts';

/** What the dialer and the call-worker both stand on, built the same way from the configuration. */
export function createCallDeps(config: Config, redis: RedisClient, log: Logger, extra: Pick<CallDeps, 'answerQuestion'> = {}): CallDeps {
  const metrics = createMetricHooks(redis, config.REDIS_PREFIX, log);
  const directory = loadRepDirectory(config.REP_DIRECTORY_FILE);
  return {
    calls: createCallsRepository(redis, config.REDIS_PREFIX, { lockMs: Math.min(config.JOB_LOCK_MS, 10_000) }),
    alerts: createAlertsRepository(redis, config.REDIS_PREFIX),
    queues: createQueues(redis, config.REDIS_PREFIX),
    telnyx: createCallCommands({
      apiKey: config.vendors.telnyx.apiKey,
      baseURL: config.vendors.telnyx.baseUrl,
      onCommand: metrics.telnyxCommand,
    }),
    directory,
    routing: {
      current: currentRoutingSource(createRoutingStore(redis, config.REDIS_PREFIX), routingFromEnv(config, directory)),
      plans: createAlertPlans(redis, config.REDIS_PREFIX),
    },
    settings: callSettingsFrom(config),
    log,
    metrics,
    ...extra,
  };
}
