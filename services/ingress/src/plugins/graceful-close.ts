import type { FastifyInstance } from 'fastify';

/**
 * On shutdown Fastify stops listening and waits for open connections. Keep-alive sockets that are busy at
 * that moment (Telnyx and Merge deliver webhooks on them all the time) would otherwise linger idle for the
 * whole keep-alive timeout after their last answer, and the process would miss its grace period. So once
 * closing, every answer tells the client to hang up, and sockets already idle are closed at once.
 */
export function installGracefulClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}
