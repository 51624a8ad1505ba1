import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Ids a route learnt (alert, deal, job) so the one log line per request carries them. */
    logIds: Record<string, string>;
  }
}

export function installRequestLogging(app: FastifyInstance): void {
  app.decorateRequest('logIds', null as unknown as Record<string, string>);
  app.addHook('onRequest', async (req) => {
    req.logIds = {};
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      { method: req.method, url: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime), ...req.logIds },
      'request',
    );
  });
}
