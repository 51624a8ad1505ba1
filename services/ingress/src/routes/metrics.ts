import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.ts';
import { buildMetricsRegistry } from '../metrics/prometheus-registry.ts';
import { requireOperator } from '../plugins/operator-auth.ts';

/** GET /metrics — Prometheus text; scrape with `authorization: Bearer $API_TOKEN`. */
export async function metricsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const registry = buildMetricsRegistry({ redis: deps.redis, queues: deps.queues, prefix: deps.config.REDIS_PREFIX });
  app.addHook('onRequest', requireOperator(deps.config.API_TOKEN));
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics: webhooks, alerts by outcome, queue depth and job latency, call timings, vendor latency',
        tags: ['admin'],
        security: [{ bearer: [] }, { session: [] }],
      },
    },
    async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
