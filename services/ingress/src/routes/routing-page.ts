import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { requireOperator } from '../plugins/operator-auth.ts';
import { securePageHeaders } from './history-page.ts';

const PUBLIC = new URL('../../public/', import.meta.url);
/** Plain HTML, vanilla JS and CSS like the history page (whose stylesheet it shares), read once. */
const PAGE = readFileSync(new URL('routing.html', PUBLIC));
const ASSETS = {
  'routing.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('routing.js', PUBLIC)) },
  'routing.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('routing.css', PUBLIC)) },
} as const;

const operator: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];

/**
 * GET /settings — the routing view: the document as editable tables (recipients, routes, the rep directory),
 * the server's validation problems next to the fields they concern, the history, and the linked accounts.
 * Signed-in operators only; a browser without a session goes to / and signs in there.
 */
export async function routingPageRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.addHook('onRequest', requireOperator(deps.config.API_TOKEN));
  r.get(
    '/settings',
    { schema: { summary: 'Routing, rep directory and linked accounts page (HTML)', tags: ['page'], security: operator } },
    async (_req, reply) => securePageHeaders(reply).type('text/html; charset=utf-8').send(PAGE),
  );
  r.get(
    '/settings/assets/:name',
    {
      schema: {
        summary: "The routing page's script and style",
        tags: ['page'],
        security: operator,
        params: z.object({ name: z.enum(['routing.js', 'routing.css']) }),
      },
    },
    async (req, reply) => {
      const asset = ASSETS[req.params.name];
      return reply
        .headers({ 'content-type': asset.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' })
        .send(asset.body);
    },
  );
}
