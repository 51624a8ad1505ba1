import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app-deps.ts';
import { credentialOf } from '../plugins/operator-auth.ts';
import { loginPage } from '../pages/login-page.ts';

const PUBLIC = new URL('../../public/', import.meta.url);
/** Three small files, read once: plain HTML, vanilla JS and CSS, no build step. */
const ASSETS = {
  'history.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('history.js', PUBLIC)) },
  'history.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('history.css', PUBLIC)) },
} as const;
const PAGE = readFileSync(new URL('history.html', PUBLIC));

/** Our pages load only our own script and style and talk only to us; nobody may frame them. */
export function securePageHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers({
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
}

/** GET / — the alert-history page; without credentials a browser gets the sign-in form (401). */
export async function historyPageRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/',
    {
      schema: {
        summary: 'Alert-history page (HTML); answers 401 with a sign-in form without credentials',
        tags: ['page'],
        security: [{ bearer: [] }, { session: [] }],
      },
    },
    async (req, reply) => {
      const token = deps.config.API_TOKEN;
      securePageHeaders(reply);
      if (token && (await credentialOf(req, token, false))) return reply.type('text/html; charset=utf-8').send(PAGE);
      req.logIds.error = 'unauthorized';
      if (req.headers.accept?.includes('text/html')) return reply.code(401).type('text/html; charset=utf-8').send(loginPage());
      return reply.code(401).send({ error: 'unauthorized', reason: 'sign in with POST /login or send the bearer token' });
    },
  );

  r.get(
    '/assets/:name',
    {
      schema: {
        summary: "The history page's script and style (public, no data)",
        tags: ['page'],
        params: z.object({ name: z.enum(['history.js', 'history.css']) }),
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
