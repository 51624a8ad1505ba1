import { hostname } from 'node:os';
import { applyProcessNice, loadConfigOrExit, SANDBOX_CREDENTIALS } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createMergeClient } from '@dda/merge';
import { closeOnSignal, closeQueues, createQueues, createWorker, createWorkerConnection, observeWorker, startInboxRelay } from '@dda/queues';
import { createAlertsRepository } from '@dda/store';
import { dispatchAlert, dispatchAlerts, pollModifiedDeals, triageDeal } from '@dda/alerting';
import { aiSettingsFrom, createAiClient, NOTES_BUDGET_MS, writeBriefing } from '@dda/ai';

const config = loadConfigOrExit();
const log = createLogger({ service: 'briefing-worker', level: config.LOG_LEVEL });
applyProcessNice(config.PROCESS_NICE, log);
const redis = createWorkerConnection(config.REDIS_URL);
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
const queues = createQueues(redis, config.REDIS_PREFIX);
const alerts = createAlertsRepository(redis, config.REDIS_PREFIX);
const merge = createMergeClient({
  baseUrl: config.MERGE_BASE_URL,
  apiKey: config.MERGE_API_KEY ?? SANDBOX_CREDENTIALS.mergeApiKey,
  accountToken: config.MERGE_ACCOUNT_TOKEN ?? SANDBOX_CREDENTIALS.mergeAccountToken,
});
const rules = { alertStages: config.ALERT_STAGES, threshold: config.DEAL_THRESHOLD };
const connection = { connection: redis, prefix: config.REDIS_PREFIX, lockDuration: config.JOB_LOCK_MS };

const triage = createWorker(
  'crm-events',
  async (job) => {
    const result = await triageDeal({ merge, alerts, rules, log, cooldownSeconds: config.ALERT_COOLDOWN_MINUTES * 60 }, job.opportunityId, job.source);
    // Only this job's own alert: the sweep below catches any whose hand-off a crash interrupted.
    if (result.alerted && !result.duplicate) await dispatchAlert({ alerts, queues }, result.alertId);
    return result;
  },
  { ...connection, concurrency: 8 },
);
// Accepted CRM changes wait in the inbox until triage has room for them (crm-inbox.ts).
const relayRedis = redis.duplicate();
relayRedis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error (inbox relay)'));
const relay = startInboxRelay({ redis: relayRedis, queues, prefix: config.REDIS_PREFIX, consumer: `${hostname()}-${process.pid}`, log, claimIdleMs: config.JOB_LOCK_MS });
const poll = createWorker('polls', async () => pollModifiedDeals({ merge, redis, prefix: config.REDIS_PREFIX, queues, alerts, rules, log }), { ...connection, concurrency: 1 });

// Briefings: AI text when it is ready in time, the template otherwise; the call never waits for them.
const ai = aiSettingsFrom(config, SANDBOX_CREDENTIALS.aiApiKey);
if (!ai.enabled) log.warn({ reason: ai.reason }, 'AI briefings off: every briefing is the template');
const notesMerge = createMergeClient({
  baseUrl: config.MERGE_BASE_URL,
  apiKey: config.MERGE_API_KEY ?? SANDBOX_CREDENTIALS.mergeApiKey,
  accountToken: config.MERGE_ACCOUNT_TOKEN ?? SANDBOX_CREDENTIALS.mergeAccountToken,
  maxRetries: 0,
  timeoutMs: NOTES_BUDGET_MS,
});
const briefingDeps = {
  alerts,
  listNotes: (dealId: string) => notesMerge.listNotes(dealId),
  ai: ai.enabled ? createAiClient(ai) : null,
  timeoutMs: config.AI_TIMEOUT_MS,
  log,
};
const briefings = createWorker('briefings', (job) => writeBriefing(briefingDeps, job.alertId), { ...connection, concurrency: 32 });
const workers = [triage, poll, briefings];
for (const w of workers) observeWorker(w, log);

if (config.MERGE_POLL_SECONDS > 0) {
  await queues.byName.polls.upsertJobScheduler('merge-backstop-poll', { every: config.MERGE_POLL_SECONDS * 1000, startDate: Date.now() + config.MERGE_POLL_SECONDS * 1000 }, { name: 'merge.poll', data: { reason: 'schedule' } });
} else {
  await queues.byName.polls.removeJobScheduler('merge-backstop-poll');
}

// The outbox sweep re-dispatches alerts whose hand-off was cut short by a crash.
const sweep = setInterval(() => {
  dispatchAlerts({ alerts, queues }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'outbox sweep failed'));
}, 5000);

closeOnSignal(log, workers, async () => {
  clearInterval(sweep);
  await relay.stop();
  relayRedis.disconnect();
  await closeQueues(queues);
  redis.disconnect();
});
log.info({ queues: ['crm-events', 'polls', 'briefings'], ai_model: ai.enabled ? ai.model : null, poll_seconds: config.MERGE_POLL_SECONDS }, 'briefing-worker started');
