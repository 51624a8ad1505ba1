import { SANDBOX_CREDENTIALS } from '@dda/config';
import { aiSettingsFrom, answerQuestion, createAiClient } from '@dda/ai';
import { bootWorker, closeOnSignal, closeQueues, createWorker, observeWorker } from '@dda/queues';
import { applyTelnyxEvent, createCallDeps, failCallOfEvent, runWatchdog, withTelnyxFailurePolicy } from '@dda/calls';

const { config, log, redis } = bootWorker('call-worker');
// Questions the VP asks mid-call go to the same model as the briefings, with a short bound of their own.
const ai = aiSettingsFrom(config, SANDBOX_CREDENTIALS.aiApiKey);
const aiClient = ai.enabled ? createAiClient(ai) : null;
const deps = createCallDeps(config, redis, log, {
  answerQuestion: async (alert, question) => (await answerQuestion(aiClient, alert, question, Math.min(config.AI_TIMEOUT_MS, 4000))).text,
});

const worker = createWorker('call-events', (job) => withTelnyxFailurePolicy(() => applyTelnyxEvent(deps, job)), {
  connection: redis,
  prefix: config.REDIS_PREFIX,
  lockDuration: config.JOB_LOCK_MS,
  concurrency: 32,
});
observeWorker(worker, config.REDIS_PREFIX, log);
worker.on('failed', (job, err) => {
  if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError')) {
    failCallOfEvent(deps, job.data.payload, `the call could not continue: ${err.message}`).catch((e: Error) =>
      log.error({ event_id: job.data.eventId, err: e.message }, 'could not give the call up'),
    );
  }
});
const watchdog = createWorker('call-watchdog', (job) => runWatchdog(deps, job), {
  connection: redis,
  prefix: config.REDIS_PREFIX,
  lockDuration: config.JOB_LOCK_MS,
  concurrency: 16,
});
observeWorker(watchdog, config.REDIS_PREFIX, log);
closeOnSignal(log, [worker, watchdog], async () => {
  await closeQueues(deps.queues);
  redis.disconnect();
});
log.info({ sandbox: config.sandbox }, 'call-worker started');
