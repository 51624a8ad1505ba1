import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionStore } from '../sessions/session-store.ts';
import { bearerFrom, tokenMatches } from './bearer-auth.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Browser sessions (Redis), decorated by build-app so every route scope reaches the same store. */
    sessions: SessionStore;
  }
}

/*
 * People reach the history page, its data, its event stream and Bull Board with a browser, which cannot send
 * a bearer header on a navigation. So besides the bearer token an operator may hold a session cookie (set by
 * POST /login after they typed the token) or, for Bull Board only, Basic credentials with the token as the
 * password. The cookie is a random id looked up in Redis (sessions/session-store.ts): signing out ends it.
 */

export const SESSION_COOKIE = 'dda_session';
export { SESSION_SECONDS } from '../sessions/session-store.ts';

export type Credential = 'bearer' | 'cookie' | 'basic';

export function cookieFrom(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function basicPassword(req: FastifyRequest): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

export async function credentialOf(req: FastifyRequest, token: string, allowBasic: boolean): Promise<Credential | null> {
  if (tokenMatches(bearerFrom(req), token)) return 'bearer';
  if (await req.server.sessions.valid(cookieFrom(req, SESSION_COOKIE))) return 'cookie';
  if (allowBasic && tokenMatches(basicPassword(req), token)) return 'basic';
  return null;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Browsers attach cookies and cached Basic credentials to cross-site requests too (SameSite=Strict covers the
 * cookie, nothing covers Basic), so a state-changing request that is authenticated by either must come from
 * our own pages: the Fetch-Metadata header, or failing that Origin, must say so. Bearer calls are scripts.
 */
export function crossSite(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/** Answered here rather than thrown: Bull Board's routes have their own error handler with another body shape. */
function refuse(req: FastifyRequest, reply: FastifyReply, status: number, code: string, reason: string): FastifyReply {
  if (req.logIds) Object.assign(req.logIds, { error: code, reason });
  return reply.code(status).send({ error: code, reason });
}

/**
 * onRequest hook for operator routes. `basic` also answers a browser with a Basic challenge, so Bull Board
 * opens with the browser's own password prompt when there is no session.
 */
export function requireOperator(apiToken: string | undefined, opts: { basic?: boolean } = {}) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!apiToken) return refuse(req, reply, 401, 'unauthorized', 'API_TOKEN is not configured; protected routes are closed');
    const cred = await credentialOf(req, apiToken, opts.basic ?? false);
    if (!cred) {
      if (opts.basic) reply.header('www-authenticate', 'Basic realm="Deal Desk Alerts", charset="UTF-8"');
      const ways = opts.basic
        ? 'bearer token, session cookie (POST /login) or Basic with the token as password'
        : 'bearer token or session cookie (POST /login)';
      return refuse(req, reply, 401, 'unauthorized', `missing or wrong credentials: ${ways}`);
    }
    if (cred !== 'bearer' && !SAFE.has(req.method) && crossSite(req)) {
      return refuse(req, reply, 403, 'cross_site', 'a cookie- or Basic-authenticated change must come from this site');
    }
    return undefined;
  };
}
