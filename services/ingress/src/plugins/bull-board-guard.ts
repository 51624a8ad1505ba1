import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Queues fed by signed webhooks. A job on them is a delivery we verified; one added or edited by hand would be
 * a Telnyx or Merge event that skipped the signature check, so Bull Board never creates or changes one.
 */
export const WEBHOOK_QUEUES: ReadonlySet<string> = new Set(['call-events', 'crm-events']);

/** Bull Board actions that change no job's content: the only writes allowed on a webhook queue. */
const HARMLESS_ON_WEBHOOK_QUEUE = /^(pause|resume|empty|promote|retry\/[\w-]+|clean\/[\w-]+|[^/]+\/(retry|clean|promote))$/;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What refuses a Bull Board request, or null to let it through. `path` is below /admin/queues. */
export function bullBoardRefusal(method: string, path: string, readOnly: boolean): string | null {
  if (READS.has(method)) return null;
  if (readOnly) return 'Bull Board is read-only (BULL_BOARD_READ_ONLY=true)';
  const m = /^\/api\/queues\/([^/]+)\/(.+)$/.exec(path);
  if (!m) return null; // board-wide pause/resume: per-queue handlers, nothing is added
  let queue: string;
  try {
    queue = decodeURIComponent(m[1]!);
  } catch {
    return 'malformed queue name';
  }
  if (WEBHOOK_QUEUES.has(queue) && !HARMLESS_ON_WEBHOOK_QUEUE.test(m[2]!)) {
    return `jobs on ${queue} come only from verified webhooks; adding or editing them here is not allowed`;
  }
  return null;
}

/** onRequest hook for the Bull Board scope; answered here, Bull Board's own error handler has another shape. */
export function guardBullBoard(basePath: string, readOnly: boolean) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const path = req.url.split('?')[0]!.slice(basePath.length);
    const reason = bullBoardRefusal(req.method, path, readOnly);
    if (!reason) return undefined;
    if (req.logIds) Object.assign(req.logIds, { error: 'forbidden', reason });
    return reply.code(403).send({ error: 'forbidden', reason });
  };
}

/**
 * Bull Board's page loads its own scripts and styles (and Google's fonts) and talks only to us; React sets
 * inline styles, so styles allow 'unsafe-inline', scripts do not. Nobody may frame it.
 */
export const BULL_BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com data:; " +
  "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

export function adminHeaders(csp: string | null) {
  return (_req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (csp) reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    done();
  };
}
