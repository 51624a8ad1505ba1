import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { AppDeps } from '../app-deps.ts';
import { createAlertChangeFeed } from '../alert-change-feed.ts';
import { requireOperator } from '../plugins/operator-auth.ts';

/** Comment lines keep proxies and load balancers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * GET /events — server-sent events for the history page: `event: alert` with `{id, change, event?}` each time
 * the store writes to an alert. The page refetches that one alert; after a reconnect (EventSource retries by
 * itself) it reloads the list, so nothing missed while disconnected stays missing.
 */
export async function alertEventRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const feed = createAlertChangeFeed(deps.redis, deps.config.REDIS_PREFIX, deps.log);
  const open = new Set<ServerResponse>();
  // Streams never end by themselves: close them first so shutdown drains the rest of the requests.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    feed.close();
  });

  app.addHook('onRequest', requireOperator(deps.config.API_TOKEN));
  app.get(
    '/events',
    {
      schema: {
        summary: 'Live alert changes (text/event-stream)',
        description:
          'Each message is `event: alert` with data `{"id":"al_…","change":"created|timeline|status|outcome|briefing","event":"…"}`.',
        tags: ['alerts'],
        security: [{ bearer: [] }, { session: [] }],
      },
    },
    async (req, reply) => {
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      open.add(res);
      const unsubscribe = await feed
        .listen((message) => res.write(`event: alert\ndata: ${message}\n\n`))
        .catch((err: unknown) => {
          req.log.warn({ err: (err as Error).message }, 'alert feed unavailable');
          return null;
        });
      // `retry` tells EventSource how soon to come back; `ready` tells the page the feed is live.
      res.write(`retry: 3000\nevent: ready\ndata: {"live":${unsubscribe ? 'true' : 'false'}}\n\n`);
      const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      beat.unref();
      req.raw.once('close', () => {
        clearInterval(beat);
        unsubscribe?.();
        open.delete(res);
        req.log.info({ method: 'GET', url: '/events', status: 200, ms: Math.round(reply.elapsedTime) }, 'request');
      });
      if (!unsubscribe) res.end();
    },
  );
}
