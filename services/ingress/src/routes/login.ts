import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { tokenMatches } from '../plugins/bearer-auth.ts';
import { cookieFrom, crossSite, SESSION_COOKIE, SESSION_SECONDS } from '../plugins/operator-auth.ts';
import { createSignInThrottle, type SignInThrottle } from '../sessions/sign-in-throttle.ts';
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
  const throttle: SignInThrottle = createSignInThrottle(deps.redis, deps.config.REDIS_PREFIX, {
    perAddress: deps.config.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
    global: deps.config.SIGN_IN_MAX_FAILURES_GLOBAL,
    windowSeconds: deps.config.SIGN_IN_WINDOW_SECONDS,
  });
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
        description:
          'A form post is redirected (303) to the history page; JSON gets `{status:"ok"}`. The cookie is http-only, SameSite=Strict, valid 12 hours, ' +
          'and names a server-side session that POST /logout ends. Too many wrong tokens from one address (or from everyone) → 429 with Retry-After.',
        tags: ['session'],
        consumes: [FORM, 'application/json'],
        body: loginBody,
      },
    },
    async (req, reply) => {
      const token = deps.config.API_TOKEN;
      const stop = await throttle.blocked(req.ip);
      if (stop) {
        const reason =
          stop.scope === 'address' ? 'too many wrong sign-ins from this address' : 'too many wrong sign-ins; sign-in is paused';
        Object.assign(req.logIds, { error: 'too_many_sign_ins', reason, scope: stop.scope });
        await throttle.refused(`throttled_${stop.scope}`);
        reply.header('retry-after', String(stop.retryAfter));
        if (isForm(req))
          return securePageHeaders(reply)
            .code(429)
            .type('text/html; charset=utf-8')
            .send(loginPage(`Sign-in refused: ${reason}. Try again in ${stop.retryAfter} s.`));
        return reply.code(429).send({ error: 'too_many_requests', reason: `${reason}; retry after ${stop.retryAfter} s` });
      }
      if (!token || !tokenMatches(req.body.token, token)) {
        req.logIds.error = 'bad_token';
        await throttle.failed(req.ip);
        await throttle.refused('bad_token');
        const reason = token ? 'that is not the API token' : 'API_TOKEN is not configured';
        if (isForm(req))
          return securePageHeaders(reply)
            .code(401)
            .type('text/html; charset=utf-8')
            .send(loginPage(`Sign-in failed: ${reason}.`));
        return reply.code(401).send({ error: 'unauthorized', reason });
      }
      // A fresh id at every sign-in, and the one the browser came with (if any) ends: no session fixation.
      const id = await app.sessions.create(cookieFrom(req, SESSION_COOKIE));
      reply.header('set-cookie', sessionCookie(req, id, SESSION_SECONDS));
      return isForm(req) ? reply.redirect('/', 303) : reply.send({ status: 'ok' });
    },
  );

  r.post(
    '/logout',
    { schema: { summary: 'End the browser session (server-side too); 403 from another site', tags: ['session'] } },
    async (req, reply) => {
      // Like every cookie-carrying change: another site must not sign our operator out.
      if (crossSite(req)) {
        Object.assign(req.logIds, { error: 'cross_site', reason: 'sign-out must come from this site' });
        return reply.code(403).send({ error: 'cross_site', reason: 'sign-out must come from this site' });
      }
      await app.sessions.end(cookieFrom(req, SESSION_COOKIE));
      reply.header('set-cookie', sessionCookie(req, '', 0));
      return isForm(req) || req.headers.accept?.includes('text/html') ? reply.redirect('/', 303) : reply.send({ status: 'signed_out' });
    },
  );
}
