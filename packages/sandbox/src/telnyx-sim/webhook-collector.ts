import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyTelnyxWebhook, type TelnyxEvent, type WebhookRejection } from '@dda/telnyx';

export type CollectedWebhook = {
  event: TelnyxEvent;
  /** The exact bytes received, for shape checks against the fixtures. */
  raw: string;
  headers: IncomingHttpHeaders;
  receivedAt: number;
};

export type WebhookCollector = {
  url: string;
  received: CollectedWebhook[];
  rejected: Array<{ reason: WebhookRejection; raw: string }>;
  /** Resolves with the first webhook (already received or future) that matches. */
  waitFor(match: (w: CollectedWebhook) => boolean, timeoutMs?: number): Promise<CollectedWebhook>;
  close(): Promise<void>;
};

/**
 * A tiny webhook receiver for tests and the sandbox: verifies every delivery with verifyTelnyxWebhook
 * (401 when it fails), acknowledges first and then hands the event to onEvent, like the real ingress should.
 * `status` lets a test answer non-2xx to exercise the simulator's redelivery.
 */
export async function createWebhookCollector(opts: {
  publicKey: string;
  host?: string;
  port?: number;
  status?: (w: CollectedWebhook) => number;
  onEvent?: (w: CollectedWebhook) => void | Promise<void>;
}): Promise<WebhookCollector> {
  const received: CollectedWebhook[] = [];
  const rejected: WebhookCollector['rejected'] = [];
  const waiters = new Set<(w: CollectedWebhook) => void>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      void verifyTelnyxWebhook(raw, req.headers, opts.publicKey).then(
        (v) => {
          if (!v.ok) {
            rejected.push({ reason: v.reason, raw });
            res.writeHead(401).end();
            return;
          }
          const w: CollectedWebhook = { event: v.event, raw, headers: req.headers, receivedAt: Date.now() };
          const status = opts.status?.(w) ?? 200;
          res.writeHead(status).end();
          if (status < 200 || status > 299) return;
          received.push(w);
          for (const waiter of waiters) waiter(w);
          if (opts.onEvent) void Promise.resolve(opts.onEvent(w)).catch(() => undefined);
        },
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}/webhooks/telnyx`,
    received,
    rejected,
    waitFor(match, timeoutMs = 10_000) {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching webhook within ${timeoutMs} ms (got: ${received.map((w) => w.event.data.event_type).join(', ')})`));
        }, timeoutMs);
        function check(w: CollectedWebhook) {
          if (!match(w)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(w);
        }
        waiters.add(check);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
