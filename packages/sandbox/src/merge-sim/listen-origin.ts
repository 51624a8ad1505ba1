import type { FastifyInstance } from 'fastify';

/** The origin callers use; a wildcard bind is still reached through loopback. */
export function listenOrigin(app: FastifyInstance): string {
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('simulator is not listening on TCP');
  const host = addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address === '::' ? '::1' : addr.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
}
