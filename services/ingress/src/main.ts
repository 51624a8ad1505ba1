import closeWithGrace from 'close-with-grace';
import { applyProcessNice, loadConfigOrExit, SANDBOX_CREDENTIALS } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createMergeClient } from '@dda/merge';
import { createMetricHooks } from '@dda/metrics';
import { closeQueues, createProducerConnection, createQueues } from '@dda/queues';
import { createAlertsRepository } from '@dda/store';
import { createSharedMergeBudget } from '@dda/alerting';
import { buildApp } from './build-app.ts';

const config = loadConfigOrExit();
const log = createLogger({ service: 'ingress', level: config.LOG_LEVEL });
applyProcessNice(config.PROCESS_NICE, log);
const redis = createProducerConnection(config.REDIS_URL);
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
const queues = createQueues(redis, config.REDIS_PREFIX);
for (const q of Object.values(queues.byName)) q.on('error', (err) => log.warn({ err: err.message, queue: q.name }, 'queue error'));
const mergeMetrics = createMetricHooks(redis, config.REDIS_PREFIX, log);
const mergeBudget = createSharedMergeBudget({
  redis,
  prefix: config.REDIS_PREFIX,
  limitPerMinute: config.MERGE_RATE_LIMIT_PER_MINUTE,
  log,
});
const merge = createMergeClient({
  budget: mergeBudget.budget,
  baseUrl: config.MERGE_BASE_URL,
  apiKey: config.MERGE_API_KEY ?? SANDBOX_CREDENTIALS.mergeApiKey,
  accountToken: config.MERGE_ACCOUNT_TOKEN ?? SANDBOX_CREDENTIALS.mergeAccountToken,
  maxRetries: 2,
  onRequest: mergeMetrics.mergeRequest,
});
const alerts = createAlertsRepository(redis, config.REDIS_PREFIX);
const app = await buildApp({ config, log, redis, queues, alerts, merge });

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'shutting down after error');
  else log.info({ signal }, 'shutting down');
  await app.close();
  await mergeMetrics.flush();
  await mergeBudget.flush();
  await closeQueues(queues);
  redis.disconnect();
});

await app.listen({ port: config.PORT, host: '0.0.0.0' });
log.info({ port: config.PORT, sandbox: config.sandbox }, 'ingress listening');
