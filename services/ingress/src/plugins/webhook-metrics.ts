import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { increment } from '@dda/metrics';

const SOURCES: Record<string, string> = { '/webhooks/crm': 'crm', '/webhooks/voice': 'voice' };

/**
 * Counts every webhook delivery once it is answered, and each refusal by the reason the error handler gave
 * it (req.logIds.error: bad_signature, stale_timestamp, body_too_large, ...). Fire-and-forget: a Redis blip
 * must not turn a delivery into an error.
 */
export function installWebhookMetrics(app: FastifyInstance, deps: { redis: Redis; prefix: string }): void {
  app.addHook('onResponse', async (req, reply) => {
    const source = SOURCES[req.routeOptions.url ?? ''];
    if (!source) return;
    const ignore = () => undefined;
    increment(deps.redis, deps.prefix, 'dda_webhooks_received_total', { source }).catch(ignore);
    if (reply.statusCode >= 400) {
      const reason = req.logIds?.error ?? `http_${reply.statusCode}`;
      increment(deps.redis, deps.prefix, 'dda_webhooks_rejected_total', { source, reason }).catch(ignore);
    }
  });
}
