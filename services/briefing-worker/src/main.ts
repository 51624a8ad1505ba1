import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { createMergeClient, createMergeDirectory } from '@dda/merge';
import { bootWorker, closeOnSignal, closeQueues, createQueues, createWorker, observeWorker, startInboxRelay } from '@dda/queues';
import { createAlertsRepository } from '@dda/store';
import { createBaselineGate, createSharedMergeBudget, dispatchAlert, dispatchAlerts, pollModifiedDeals, triageDeal } from '@dda/alerting';
import { createMetricBatch } from '@dda/metrics';
import { aiSettingsFrom, createAiClient, NOTES_BUDGET_MS, writeBriefing } from '@dda/ai';
import { createAccountScope, createAccountsStore } from '@dda/accounts';
import { runFollowUp } from '@dda/follow-ups';
import { createAlertPlans } from '@dda/routing';
import { duplicateClient } from '@dda/redis';
import { createMessaging, isDefinitelyNotSent, telnyxErrorCode } from '@dda/telnyx';

const BASELINE_START_WAIT_MS = 10_000;
const { config, log, redis } = bootWorker('briefing-worker');
const queues = createQueues(redis, config.REDIS_PREFIX);
const alerts = createAlertsRepository(redis, config.REDIS_PREFIX);
// Every Merge request of every replica goes through one budget per linked account (MERGE_RATE_LIMIT_PER_MINUTE).
const mergeBudget = createSharedMergeBudget({
  redis,
  prefix: config.REDIS_PREFIX,
  limitPerMinute: config.MERGE_RATE_LIMIT_PER_MINUTE,
  log,
});
const mergeAccess = { baseUrl: config.vendors.merge.baseUrl, apiKey: config.vendors.merge.apiKey, budget: mergeBudget.budget };
const rules = { alertStages: config.ALERT_STAGES, threshold: config.DEAL_THRESHOLD };
const connection = { connection: redis, prefix: config.REDIS_PREFIX, lockDuration: config.JOB_LOCK_MS };
const metrics = createMetricBatch(redis, config.REDIS_PREFIX);
const onSkipped = (path: 'baseline' | 'poll', skipped: unknown[]) =>
  metrics.increment('dda_merge_records_skipped_total', { path }, skipped.length);
// Each linked account (POST /accounts; any other through the MERGE_ACCOUNT_TOKEN fallback) has its own Merge
// client, and with it its own budget, name caches, baseline and backstop poll.
const perAccount = createAccountScope({
  accounts: createAccountsStore({
    redis,
    prefix: config.REDIS_PREFIX,
    secretsKey: config.SECRETS_KEY,
    production: config.NODE_ENV === 'production',
  }),
  fallbackToken: config.vendors.merge.accountToken,
  build: (accountToken) => {
    const merge = createMergeClient({ ...mergeAccess, accountToken });
    return {
      merge,
      directory: createMergeDirectory({ redis, prefix: config.REDIS_PREFIX, merge, cacheSeconds: config.MERGE_CACHE_SECONDS, log }),
      baseline: createBaselineGate({ merge, redis, prefix: config.REDIS_PREFIX, alerts, rules, log, onSkipped }),
      notes: createMergeClient({ ...mergeAccess, accountToken, maxRetries: 0, timeoutMs: NOTES_BUDGET_MS }),
      // Writes wait for the budget like any other caller of this account; a write is never resent blindly.
      writer: createMergeClient({ ...mergeAccess, accountToken, maxRetries: 0, timeoutMs: 15_000 }),
    };
  },
});
const triageDeps = { alerts, rules, log, cooldownSeconds: config.ALERT_COOLDOWN_MINUTES * 60 };

const triage = createWorker(
  'crm-events',
  async (job) => {
    const account = await perAccount.forAccount(job.linkedAccountId);
    if (!account) return { alerted: false, reason: `no Merge token for linked account ${job.linkedAccountId ?? '(none)'}` };
    const { merge, directory, baseline } = account.value;
    const result = await triageDeal({ ...triageDeps, merge, directory, baseline, linkedAccountId: job.linkedAccountId ?? null }, job);
    // Only this job's own alert: the sweep below catches any whose hand-off a crash interrupted.
    if (result.alerted && !result.duplicate) await dispatchAlert({ alerts, queues }, result.alertId);
    return result;
  },
  // Triage waits on Redis only (its fsyncs under appendfsync always), no longer on a Merge fetch per change:
  // more jobs at once share each fsync.
  { ...connection, concurrency: 32 },
);
// Accepted CRM changes wait in the inbox until triage has room for them (crm-inbox.ts).
const relayRedis = duplicateClient(redis);
relayRedis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error (inbox relay)'));
const relay = startInboxRelay({
  redis: relayRedis,
  queues,
  prefix: config.REDIS_PREFIX,
  consumer: `${hostname()}-${process.pid}`,
  log,
  claimIdleMs: config.JOB_LOCK_MS,
});
const poll = createWorker(
  'polls',
  async () => {
    const total = { queued: 0, skipped: 0, pages: 0 };
    for (const a of await perAccount.all()) {
      const r = await pollModifiedDeals({
        merge: a.value.merge,
        redis,
        prefix: config.REDIS_PREFIX,
        queues,
        log,
        baseline: a.value.baseline,
        onSkipped,
        linkedAccountId: a.linkedAccountId,
      });
      total.queued += r.queued;
      total.skipped += r.skipped;
      total.pages += r.pages;
    }
    return total;
  },
  { ...connection, concurrency: 1 },
);

// Briefings: AI text when it is ready in time, the template otherwise; the call never waits for them.
const ai = aiSettingsFrom(config, SANDBOX_CREDENTIALS.aiApiKey);
if (!ai.enabled) log.warn({ reason: ai.reason }, 'AI briefings off: every briefing is the template');
const briefingDeps = {
  alerts,
  // Notes are a nice-to-have: they wait for the budget only as long as the briefing can spare, never the call.
  // Through the MERGE_ACCOUNT_TOKEN account; with registered accounts only, briefings go without notes.
  listNotes: async (dealId: string) => {
    const account = await perAccount.forAccount(null);
    return account ? account.value.notes.listNotes(dealId, 5, { priority: 'notes', maxWaitMs: NOTES_BUDGET_MS }) : [];
  },
  ai: ai.enabled ? createAiClient(ai) : null,
  timeoutMs: config.AI_TIMEOUT_MS,
  log,
};
const briefings = createWorker('briefings', (job) => writeBriefing(briefingDeps, job.alertId), { ...connection, concurrency: 32 });

// After the outcome: the note on the deal (CRM_WRITE_BACK) and texts to whoever was not reached (SMS_FOLLOW_UP).
const messaging = createMessaging({ apiKey: config.vendors.telnyx.apiKey, baseURL: config.vendors.telnyx.baseUrl });
const followUpDeps = {
  alerts,
  redis,
  prefix: config.REDIS_PREFIX,
  log,
  notes: {
    enabled: config.CRM_WRITE_BACK === 'on',
    forAccount: async (linkedAccountId: string | null) => (await perAccount.forAccount(linkedAccountId))?.value.writer ?? null,
  },
  sms: {
    mode: config.SMS_FOLLOW_UP,
    from: config.vendors.telnyx.phoneNumber,
    messagingProfileId: config.vendors.telnyx.messagingProfileId,
    webhookUrl: `${config.publicBaseUrl}/webhooks/messaging`,
    plans: createAlertPlans(redis, config.REDIS_PREFIX),
    send: messaging.send,
    definitelyNotSent: isDefinitelyNotSent,
    describe: (err: unknown) => {
      const status = (err as { status?: unknown }).status;
      const code = telnyxErrorCode(err);
      return typeof status === 'number' ? `Telnyx answered ${status}${code ? ` (${code})` : ''}` : 'no answer from Telnyx';
    },
  },
};
const followUps = createWorker('follow-ups', (job) => runFollowUp(followUpDeps, job), { ...connection, concurrency: 8 });
const workers = [triage, poll, briefings, followUps];
for (const w of workers) observeWorker(w, config.REDIS_PREFIX, log);

if (config.MERGE_POLL_SECONDS > 0) {
  await queues.byName.polls.upsertJobScheduler(
    'merge-backstop-poll',
    { every: config.MERGE_POLL_SECONDS * 1000, startDate: Date.now() + config.MERGE_POLL_SECONDS * 1000 },
    { name: 'merge.poll', data: { reason: 'schedule' } },
  );
} else {
  await queues.byName.polls.removeJobScheduler('merge-backstop-poll');
}

// The quiet first day: record every open deal as it stands before the first webhook is triaged, and warm the
// name caches so the first alert does not wait for them. Both retry by themselves; neither blocks the start.
const served = await perAccount.all();
const baselineRun = Promise.all(served.map((a) => a.value.baseline.start()));
for (const a of served)
  a.value.directory
    .warm()
    .catch((err: unknown) =>
      log.warn(
        { err: (err as Error).message, linked_account_id: a.linkedAccountId },
        'merge directory not warmed yet; the first lookup lists it',
      ),
    );

// The outbox sweep re-dispatches alerts whose hand-off was cut short by a crash.
const sweep = setInterval(() => {
  dispatchAlerts({ alerts, queues }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'outbox sweep failed'));
}, 5000);

closeOnSignal(log, workers, async () => {
  clearInterval(sweep);
  await relay.stop();
  relayRedis.disconnect();
  await Promise.all([metrics.flush(), mergeBudget.flush()]);
  await closeQueues(queues);
  redis.disconnect();
});
// A small CRM's baseline is done in a moment: "started" then means ready to triage. A big one (or Merge down)
// does not hold the start up; webhooks wait for it in the queue either way.
await Promise.race([baselineRun, sleep(BASELINE_START_WAIT_MS)]);
log.info(
  {
    queues: ['crm-events', 'polls', 'briefings', 'follow-ups'],
    baseline: served.every((a) => a.value.baseline.isDone()) ? 'done' : 'running',
    linked_accounts: served.length,
    ai_model: ai.enabled ? ai.model : null,
    poll_seconds: config.MERGE_POLL_SECONDS,
  },
  'briefing-worker started',
);
