import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from './error-handling.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Hashing both sides first makes the comparison constant-time whatever the lengths. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerFrom(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

export function requireBearer(apiToken: string | undefined) {
  return async (req: FastifyRequest): Promise<void> => {
    if (!apiToken) throw new HttpProblem(401, 'unauthorized', 'API_TOKEN is not configured; protected routes are closed');
    if (!tokenMatches(bearerFrom(req), apiToken)) throw new HttpProblem(401, 'unauthorized', 'missing or wrong bearer token');
  };
}
