import type { RedisClient } from '@dda/redis';
import type { Config } from '@dda/config';
import type { Logger } from '@dda/logger';
import type { MergeClient } from '@dda/merge';
import type { Queues } from '@dda/queues';
import type { AlertsRepository } from '@dda/store';

/** Everything the HTTP layer needs, built by main.ts (or a test) and passed in. */
export type AppDeps = {
  config: Config;
  log: Logger;
  redis: RedisClient;
  queues: Queues;
  alerts: AlertsRepository;
  merge: MergeClient;
};
