import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.ts';

export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/health', { schema: { summary: 'Liveness', tags: ['health'] } }, async () => ({
    status: 'ok',
    service: 'merge-deal-desk-alerts',
  }));

  app.get('/ready', { schema: { summary: 'Readiness: Redis answers', tags: ['health'] } }, async (_req, reply) => {
    const ok = await Promise.race([
      deps.redis.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref()),
    ]);
    return ok ? { status: 'ready' } : reply.code(503).send({ status: 'unavailable', reason: 'redis does not answer' });
  });
}
