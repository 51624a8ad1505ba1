import { bootWorker, closeOnSignal, closeQueues, createWorker, observeWorker } from '@dda/queues';
import { createCallDeps, failDial, placeCall, withTelnyxFailurePolicy } from '@dda/calls';

const { config, log, redis } = bootWorker('dialer-worker');
const deps = createCallDeps(config, redis, log);

const worker = createWorker('dials', (job) => withTelnyxFailurePolicy(() => placeCall(deps, job)), {
  connection: redis,
  prefix: config.REDIS_PREFIX,
  lockDuration: config.JOB_LOCK_MS,
  concurrency: 16,
});
observeWorker(worker, config.REDIS_PREFIX, log);
worker.on('failed', (job, err) => {
  if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError')) {
    failDial(deps, job.data, `could not place the call: ${err.message}`).catch((e: Error) =>
      log.error({ alert_id: job.data.alertId, err: e.message }, 'could not record the failed dial'),
    );
  }
});
closeOnSignal(log, [worker], async () => {
  await closeQueues(deps.queues);
  redis.disconnect();
});
log.info({ sandbox: config.sandbox, telnyx: config.TELNYX_BASE_URL }, 'dialer-worker started');
