import type { FastifyInstance } from 'fastify';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * Fastify tests a RegExp parser against the whole normalised header, parameters included, so an anchored
 * `json$` refused `application/json; charset=utf-8` with 415 — and Merge never retries a 4xx, so a proxy
 * that adds a charset would silently drop every change. Fastify lower-cases the media type before matching;
 * the pattern stops at the media type and lets any parameters follow.
 */
export const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json(\s*;|$)/;

/**
 * Scoped to the calling plugin: the body stays exactly as received (signatures are over the raw bytes),
 * and Fastify enforces the size limit before the handler runs.
 */
export function acceptRawJson(app: FastifyInstance, as: 'buffer' | 'string'): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: as, bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
}
