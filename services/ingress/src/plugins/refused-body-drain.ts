import type { FastifyInstance } from 'fastify';

/** Past this a refused upload is not worth reading to the end: the socket is closed under it instead. */
export const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Fastify answers a body it refuses while parsing (over the limit, unreadable) before reading it, with
 * `Connection: close`. Node then closes the socket while the sender is still uploading, and the sender
 * sees a broken pipe instead of our 413 and its reason — to Merge or Telnyx that reads as our outage.
 * When the sender declared a length we are willing to read, the header is dropped: Node reads the rest
 * and discards it (still within HTTP_REQUEST_TIMEOUT_MS), the answer arrives whole, and the connection
 * stays usable. An undeclared (chunked) or larger body is still cut off.
 */
export function installRefusedBodyDrain(app: FastifyInstance): void {
  // A callback hook like the other per-answer hooks (request-logging.ts): an async one costs a promise per answer.
  app.addHook('onSend', (req, reply, payload, done) => {
    // A 503 while shutting down keeps its close: that one is meant to end the connection.
    if (reply.statusCode < 500 && reply.getHeader('connection') === 'close' && !req.raw.complete) {
      const declared = Number(req.headers['content-length']);
      if (Number.isSafeInteger(declared) && declared <= DRAIN_LIMIT_BYTES) reply.removeHeader('connection');
    }
    done(null, payload);
  });
}
