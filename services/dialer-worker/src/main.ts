import { applyProcessNice, loadConfigOrExit } from '@dda/config';
import { createLogger } from '@dda/logger';
import { closeOnSignal, closeQueues, createWorker, createWorkerConnection, observeWorker } from '@dda/queues';
import { createCallDeps, failDial, placeCall, withTelnyxFailurePolicy } from '@dda/calls';

const config = loadConfigOrExit();
const log = createLogger({ service: 'dialer-worker', level: config.LOG_LEVEL });
applyProcessNice(config.PROCESS_NICE, log);
const redis = createWorkerConnection(config.REDIS_URL);
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
const deps = createCallDeps(config, redis, log);

const worker = createWorker('dials', (job) => withTelnyxFailurePolicy(() => placeCall(deps, job)), {
  connection: redis,
  prefix: config.REDIS_PREFIX,
  lockDuration: config.JOB_LOCK_MS,
  concurrency: 16,
});
observeWorker(worker, log);
worker.on('failed', (job, err) => {
  if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError')) {
    void failDial(deps, job.data, `could not place the call: ${err.message}`);
  }
});
closeOnSignal(log, [worker], async () => {
  await closeQueues(deps.queues);
  redis.disconnect();
});
log.info({ sandbox: config.sandbox, telnyx: config.TELNYX_BASE_URL }, 'dialer-worker started');
