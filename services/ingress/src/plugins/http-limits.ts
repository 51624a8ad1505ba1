import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '@dda/config';
import type { Logger } from '@dda/logger';

type Limits = Pick<Config, 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'>;

/**
 * Node's HTTP server defaults let a client hold a socket for ever by trickling a body (Fastify sets
 * requestTimeout to 0). Here a request must arrive whole — headers and body — within
 * HTTP_REQUEST_TIMEOUT_MS of its first byte, else Node answers 408 and closes the socket. Node checks
 * running requests every `connectionsCheckingInterval` (30 s by default, which would let a 30 s limit run to
 * 60 s), so the check runs every second. The limit ends once the request is received: the long-lived
 * GET /events stream is not affected by it, and no idle-socket timeout is set for the same reason.
 */
export function httpServerOptions(
  c: Limits,
): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout'> & { http: http.ServerOptions } {
  const requestTimeout = c.HTTP_REQUEST_TIMEOUT_MS;
  return {
    requestTimeout,
    keepAliveTimeout: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: 0,
    http: {
      requestTimeout,
      headersTimeout: Math.min(c.HTTP_HEADERS_TIMEOUT_MS, requestTimeout),
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
    },
  };
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request did not arrive in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'request headers are too large'],
};

/**
 * Errors Node raises before a request reaches Fastify (a timed-out or malformed request): answered as JSON
 * `{error, reason}` like every other refusal, with one log line, then the socket is closed.
 */
export function clientErrorHandler(log: Logger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, error, reason] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'bad_request', 'malformed HTTP request'];
    log.warn({ status, error, reason, code: err.code, remote: socket.remoteAddress }, 'client error');
    if (socket.writable) {
      const body = JSON.stringify({ error, reason });
      socket.write(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
