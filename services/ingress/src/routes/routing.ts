import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createRoutingStore,
  currentRoutingSource,
  loadRepDirectoryFile,
  routingDocumentSchema,
  routingFromEnv,
  validateRouting,
} from '@dda/routing';
import type { AppDeps } from '../app-deps.ts';
import { requireOperator } from '../plugins/operator-auth.ts';
import { routingFileAtBoot } from '../routing-file-at-boot.ts';

const operator: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];

/** A body that is not JSON is refused before validation, without `problems`. */
const problemsReply = z.object({
  error: z.string(),
  reason: z.string(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/**
 * Who gets the call (README: who gets the call). Every service reads the current version from Redis per alert, so a
 * PUT here applies to the next alert everywhere without a restart.
 */
export async function routingRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const store = createRoutingStore(deps.redis, deps.config.REDIS_PREFIX);
  const current = currentRoutingSource(store, routingFromEnv(deps.config, loadRepDirectoryFile(deps.config.REP_DIRECTORY_FILE)));
  if (deps.config.ROUTING_FILE) app.addHook('onReady', routingFileAtBoot(store, deps.redis, deps.config.ROUTING_FILE, deps.log));

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.addHook('onRequest', requireOperator(deps.config.API_TOKEN));

  r.get(
    '/routing',
    { schema: { summary: 'The routing in force (version 0 = the environment variables)', tags: ['routing'], security: operator } },
    async () => {
      const { version, routing, source } = await current();
      return { version, source, routing };
    },
  );

  r.put(
    '/routing',
    {
      schema: {
        summary: 'Replace the routing document; 400 names every problem and keeps the previous version',
        tags: ['routing'],
        security: operator,
        body: routingDocumentSchema,
        response: { 200: z.object({ version: z.number().int() }), 400: problemsReply },
      },
      // The whole document is checked by validateRouting below, which names every problem with its path;
      // the schema above is here for the OpenAPI document.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (req, reply) => {
      const checked = validateRouting(req.body as unknown);
      if (!checked.ok) {
        const reason = `${checked.problems.length} problem${checked.problems.length === 1 ? '' : 's'} in the routing document; version in force unchanged`;
        Object.assign(req.logIds, {
          error: 'invalid_routing',
          reason: `${reason}: ${checked.problems
            .slice(0, 5)
            .map((p) => p.path)
            .join(', ')}`,
        });
        return reply.code(400).send({ error: 'invalid_routing', reason, problems: checked.problems });
      }
      const saved = await store.save(checked.routing, { source: 'api' });
      req.log.info({ routing_version: saved.version, changed: saved.changed }, 'routing saved');
      return { version: saved.version };
    },
  );

  r.get(
    '/routing/history',
    {
      schema: {
        summary: 'Routing versions, newest first, with time and what changed',
        tags: ['routing'],
        security: operator,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
      },
    },
    async (req) => ({ history: await store.history(req.query.limit) }),
  );
}
