import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

export class HttpProblem extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, reason: string) {
    super(reason);
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** Fastify's own 4xx codes, renamed into the answers our callers read. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_body',
};

/** The per-request log line (request-logging.ts) carries why it was refused. */
function refused(req: FastifyRequest, code: string, reason: string): void {
  if (req.logIds) Object.assign(req.logIds, { error: code, reason: reason.slice(0, 300) });
}

const REDIS_DOWN = /Stream isn't writeable|Connection is closed|enableOfflineQueue|ECONNREFUSED|max retries per request/i;

/**
 * Every failure leaves as JSON `{error, reason}` with a log line. Unknown bugs are still 500 (hiding them
 * would hide data loss), but every input we can foresee maps to a 4xx, and a Redis outage to a 503 so the
 * sender retries.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpProblem) {
      refused(req, err.code, err.message);
      return reply.code(err.statusCode).send({ error: err.code, reason: err.message });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const reason = err.validation
        .slice(0, 3)
        .map((v) => `${v.instancePath || '(body)'} ${v.message}`)
        .join('; ');
      refused(req, 'bad_request', reason);
      return reply.code(400).send({ error: 'bad_request', reason });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = FASTIFY_CODES[err.code] ?? 'bad_request';
      refused(req, code, err.message);
      return reply.code(status).send({ error: code, reason: err.message });
    }
    if (REDIS_DOWN.test(err.message)) {
      req.log.warn({ err: err.message }, 'redis unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', reason: 'queue storage is unavailable, retry later' });
    }
    req.log.error({ err }, 'unexpected error');
    return reply.code(500).send({ error: 'internal', reason: 'unexpected error' });
  });
  app.setNotFoundHandler((req, reply) => {
    refused(req, 'not_found', 'no such route');
    return reply.code(404).send({ error: 'not_found', reason: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
}
