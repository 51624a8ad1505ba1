import { loadConfigOrExit, SANDBOX_CREDENTIALS } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createMetricHooks } from '@dda/metrics';
import { closeOnSignal, closeQueues, createQueues, createWorker, createWorkerConnection, observeWorker } from '@dda/queues';
import { createAlertsRepository } from '@dda/store';
import { createCallCommands } from '@dda/telnyx';
import { applyTelnyxEvent, callSettingsFrom, createCallsRepository, failCallOfEvent, loadRepDirectory, withTelnyxFailurePolicy } from '@dda/calls';

const config = loadConfigOrExit();
const log = createLogger({ service: 'call-worker', level: config.LOG_LEVEL });
const redis = createWorkerConnection(config.REDIS_URL);
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
const queues = createQueues(redis, config.REDIS_PREFIX);
const metrics = createMetricHooks(redis, config.REDIS_PREFIX, log);
const deps = {
  calls: createCallsRepository(redis, config.REDIS_PREFIX, { lockMs: Math.min(config.JOB_LOCK_MS, 10_000) }),
  alerts: createAlertsRepository(redis, config.REDIS_PREFIX),
  queues,
  telnyx: createCallCommands({ apiKey: config.TELNYX_API_KEY ?? SANDBOX_CREDENTIALS.telnyxApiKey, baseURL: config.TELNYX_BASE_URL, onCommand: metrics.telnyxCommand }),
  directory: loadRepDirectory(config.REP_DIRECTORY_FILE),
  settings: callSettingsFrom(config),
  log,
  metrics,
};

const worker = createWorker('call-events', (job) => withTelnyxFailurePolicy(() => applyTelnyxEvent(deps, job)), { connection: redis, prefix: config.REDIS_PREFIX, lockDuration: config.JOB_LOCK_MS, concurrency: 32 });
observeWorker(worker, log);
worker.on('failed', (job, err) => {
  if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError')) {
    void failCallOfEvent(deps, job.data.payload, `the call could not continue: ${err.message}`);
  }
});
closeOnSignal(log, [worker], async () => {
  await closeQueues(queues);
  redis.disconnect();
});
log.info({ sandbox: config.sandbox }, 'call-worker started');
