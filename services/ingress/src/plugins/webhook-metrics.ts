import type { FastifyInstance } from 'fastify';
import type { RedisClient } from '@dda/redis';
import { createMetricBatch } from '@dda/metrics';

const SOURCES: Record<string, string> = { '/webhooks/crm': 'crm', '/webhooks/voice': 'voice', '/webhooks/messaging': 'messaging' };

/**
 * Counts every webhook delivery once it is answered, and each refusal by the reason the error handler gave
 * it (req.logIds.error: bad_signature, stale_timestamp, body_too_large, ...). Batched in memory and written
 * a few times a second: a Redis blip must not turn a delivery into an error, and a burst of deliveries must
 * not cost a Redis command each.
 */
export function installWebhookMetrics(app: FastifyInstance, deps: { redis: RedisClient; prefix: string }): void {
  const batch = createMetricBatch(deps.redis, deps.prefix);
  app.addHook('onResponse', (req, reply, done) => {
    const source = SOURCES[req.routeOptions.url ?? ''];
    if (source) {
      batch.increment('dda_webhooks_received_total', { source });
      if (reply.statusCode >= 400)
        batch.increment('dda_webhooks_rejected_total', { source, reason: req.logIds?.error ?? `http_${reply.statusCode}` });
    }
    done();
  });
  app.addHook('onClose', async () => batch.flush());
}
