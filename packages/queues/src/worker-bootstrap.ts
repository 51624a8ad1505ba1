import { createWorkerConnection, type RedisClient } from '@dda/redis';
import { applyProcessNice, loadConfigOrExit, type Config } from '@dda/config';
import { createLogger, type Logger } from '@dda/logger';

export type WorkerBase = { config: Config; log: Logger; redis: RedisClient };

/**
 * What every worker's main.ts starts with, once: the configuration (a wrong value exits with its name), the
 * logger, the process's CPU priority, the policy for errors nobody awaited, and the worker Redis connection.
 */
export function bootWorker(service: string): WorkerBase {
  const config = loadConfigOrExit();
  const log = createLogger({ service, level: config.LOG_LEVEL });
  applyProcessNice(config.PROCESS_NICE, log);
  exitOnUnhandled(log);
  const redis = createWorkerConnection(config.REDIS_URL);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  return { config, log, redis };
}

/**
 * A rejection nobody handled means a step whose outcome we do not know: the process logs it and exits, and
 * the job it belonged to is picked up again after its lock lapses (every step is idempotent). Carrying on
 * would leave that step silently undone.
 */
export function exitOnUnhandled(log: Pick<Logger, 'fatal'>): void {
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection: exiting');
    process.exit(1);
  });
}
