import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { tokenMatches } from '../plugins/bearer-auth.ts';
import { newSessionValue, SESSION_COOKIE, SESSION_SECONDS } from '../plugins/operator-auth.ts';
import { loginPage } from '../pages/login-page.ts';
import { securePageHeaders } from './history-page.ts';

const loginBody = z.object({ token: z.string().min(1).max(1000) });
const FORM = 'application/x-www-form-urlencoded';

/** http-only so page scripts never see it, SameSite=Strict so no other site's request carries it. */
function sessionCookie(req: FastifyRequest, value: string, maxAge: number): string {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}

const isForm = (req: FastifyRequest) => (req.headers['content-type'] ?? '').startsWith(FORM);

/** POST /login and /logout: the browser's way in to the history page and Bull Board. */
export async function loginRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // The sign-in page posts a plain HTML form; scoped here, so no other route accepts form bodies.
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/login',
    {
      schema: {
        summary: 'Exchange the API token for a session cookie (form or JSON)',
        description: 'A form post is redirected (303) to the history page; JSON gets `{status:"ok"}`. The cookie is http-only, SameSite=Strict, valid 12 hours.',
        tags: ['session'],
        consumes: [FORM, 'application/json'],
        body: loginBody,
      },
    },
    async (req, reply) => {
      const token = deps.config.API_TOKEN;
      if (!token || !tokenMatches(req.body.token, token)) {
        req.logIds.error = 'bad_token';
        const reason = token ? 'that is not the API token' : 'API_TOKEN is not configured';
        if (isForm(req)) return securePageHeaders(reply).code(401).type('text/html; charset=utf-8').send(loginPage(`Sign-in failed: ${reason}.`));
        return reply.code(401).send({ error: 'unauthorized', reason });
      }
      reply.header('set-cookie', sessionCookie(req, newSessionValue(token), SESSION_SECONDS));
      return isForm(req) ? reply.redirect('/', 303) : reply.send({ status: 'ok' });
    },
  );

  r.post('/logout', { schema: { summary: 'End the browser session', tags: ['session'] } }, async (req, reply) => {
    reply.header('set-cookie', sessionCookie(req, '', 0));
    return isForm(req) || req.headers.accept?.includes('text/html') ? reply.redirect('/', 303) : reply.send({ status: 'signed_out' });
  });
}
