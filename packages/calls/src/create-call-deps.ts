import type { Redis } from 'ioredis';
import type { Config } from '@dda/config';
import type { Logger } from '@dda/logger';
import { createMetricHooks } from '@dda/metrics';
import { createQueues } from '@dda/queues';
import { createAlertsRepository } from '@dda/store';
import { createCallCommands } from '@dda/telnyx';
import { callSettingsFrom, type CallDeps } from './call-deps.ts';
import { createCallsRepository } from './calls-repository.ts';
import { loadRepDirectory } from './rep-directory.ts';

/** What the dialer and the call-worker both stand on, built the same way from the configuration. */
export function createCallDeps(config: Config, redis: Redis, log: Logger, extra: Pick<CallDeps, 'answerQuestion'> = {}): CallDeps {
  const metrics = createMetricHooks(redis, config.REDIS_PREFIX, log);
  return {
    calls: createCallsRepository(redis, config.REDIS_PREFIX, { lockMs: Math.min(config.JOB_LOCK_MS, 10_000) }),
    alerts: createAlertsRepository(redis, config.REDIS_PREFIX),
    queues: createQueues(redis, config.REDIS_PREFIX),
    telnyx: createCallCommands({
      apiKey: config.vendors.telnyx.apiKey,
      baseURL: config.vendors.telnyx.baseUrl,
      onCommand: metrics.telnyxCommand,
    }),
    directory: loadRepDirectory(config.REP_DIRECTORY_FILE),
    settings: callSettingsFrom(config),
    log,
    metrics,
    ...extra,
  };
}
