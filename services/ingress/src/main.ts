import closeWithGrace from 'close-with-grace';
import { applyProcessNice, loadConfigOrExit } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createMergeClient } from '@dda/merge';
import { createMetricHooks } from '@dda/metrics';
import { closeQueues, createQueues } from '@dda/queues';
import { createProducerConnection } from '@dda/redis';
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
  baseUrl: config.vendors.merge.baseUrl,
  apiKey: config.vendors.merge.apiKey,
  // Without a default account token (production relying on registered accounts) this client has none to send.
  accountToken: config.vendors.merge.accountToken ?? '',
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
