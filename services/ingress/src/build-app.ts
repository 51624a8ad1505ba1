import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './app-deps.ts';
import { installErrorHandling } from './plugins/error-handling.ts';
import { installGracefulClose } from './plugins/graceful-close.ts';
import { installRefusedBodyDrain } from './plugins/refused-body-drain.ts';
import { installRequestLogging } from './plugins/request-logging.ts';
import { installWebhookMetrics } from './plugins/webhook-metrics.ts';
import { openApi } from './plugins/openapi.ts';
import { bullBoard } from './plugins/bull-board.ts';
import { crmWebhookRoute } from './routes/crm-webhook.ts';
import { WEBHOOK_BODY_LIMIT } from './plugins/raw-json-body.ts';
import { voiceWebhookRoute } from './routes/voice-webhook.ts';
import { messagingWebhookRoute } from './routes/messaging-webhook.ts';
import { alertRoutes } from './routes/alerts.ts';
import { alertEventRoutes } from './routes/alert-events.ts';
import { healthRoutes } from './routes/health.ts';
import { historyPageRoutes } from './routes/history-page.ts';
import { loginRoutes } from './routes/login.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { routingRoutes } from './routes/routing.ts';
import { routingPageRoutes } from './routes/routing-page.ts';
import { accountRoutes } from './routes/accounts.ts';
import { clientErrorHandler, httpServerOptions } from './plugins/http-limits.ts';
import { createSessionStore } from './sessions/session-store.ts';

/** `onRoute` sees every route as it is added (the OpenAPI coverage test lists them with it). */
export async function buildApp(deps: AppDeps, opts: { onRoute?: (route: RouteOptions) => void } = {}): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // One line per request comes from request-logging.ts, with the ids the route learnt.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: WEBHOOK_BODY_LIMIT,
    // X-Forwarded-* is believed only from our own proxies: anyone else could name any client address
    // (and dodge the sign-in throttle) or claim https.
    trustProxy: deps.config.TRUST_PROXY.length ? deps.config.TRUST_PROXY : false,
    return503OnClosing: true,
    ...httpServerOptions(deps.config),
    clientErrorHandler: clientErrorHandler(deps.log),
  });
  app.server.maxConnections = deps.config.HTTP_MAX_CONNECTIONS;
  app.decorate('sessions', createSessionStore(deps.redis, deps.config.REDIS_PREFIX, deps.config.API_TOKEN));
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installRequestLogging(app);
  installErrorHandling(app);
  installGracefulClose(app);
  installRefusedBodyDrain(app);
  installWebhookMetrics(app, { redis: deps.redis, prefix: deps.config.REDIS_PREFIX });
  await openApi(app);
  await app.register(healthRoutes, deps);
  await app.register(crmWebhookRoute, deps);
  await app.register(voiceWebhookRoute, deps);
  await app.register(messagingWebhookRoute, deps);
  await app.register(alertRoutes, deps);
  await app.register(alertEventRoutes, deps);
  await app.register(historyPageRoutes, deps);
  await app.register(loginRoutes, deps);
  await app.register(metricsRoutes, deps);
  await app.register(routingRoutes, deps);
  await app.register(routingPageRoutes, deps);
  await app.register(accountRoutes, deps);
  await bullBoard(app, deps);
  return app;
}
