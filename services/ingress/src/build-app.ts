import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './app-deps.ts';
import { installErrorHandling } from './plugins/error-handling.ts';
import { installRequestLogging } from './plugins/request-logging.ts';
import { crmWebhookRoute, WEBHOOK_BODY_LIMIT } from './routes/crm-webhook.ts';
import { voiceWebhookRoute } from './routes/voice-webhook.ts';
import { alertRoutes } from './routes/alerts.ts';
import { healthRoutes } from './routes/health.ts';

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // One line per request comes from request-logging.ts, with the ids the route learnt.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: WEBHOOK_BODY_LIMIT,
    trustProxy: true,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installRequestLogging(app);
  installErrorHandling(app);
  await app.register(healthRoutes, deps);
  await app.register(crmWebhookRoute, deps);
  await app.register(voiceWebhookRoute, deps);
  await app.register(alertRoutes, deps);
  return app;
}
