import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { defaultCrmSeed } from '../seed/crm-seed.ts';
import { createCrmStore } from './crm-store.ts';
import type { CrmNote, CrmOpportunity, CrmSeed } from './crm-wire-types.ts';
import { createFaultState, type MergeFaults } from './fault-injection.ts';
import { registerCrmRoutes } from './crm-routes.ts';
import { registerNoteWriteRoutes } from './note-write-routes.ts';
import { createWritePermissions } from './write-permissions.ts';
import { registerControlRoutes } from './control-routes.ts';
import { queryOf } from './crm-query.ts';
import { buildOpportunityWebhook, postWebhook, type OpportunityEvent, type WebhookDelivery } from './webhook-delivery.ts';
import { CrmSimError } from './sim-errors.ts';
import { listenOrigin } from './listen-origin.ts';
import { createRateLimit } from './rate-limit.ts';

export type MergeSimulatorOptions = {
  apiKey: string;
  accountToken: string;
  /** Tokens of further linked accounts, accepted like accountToken over the same data (each with its own rate limit). */
  extraAccountTokens?: string[];
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  seed?: CrmSeed;
  log?: (line: string) => void;
  /** Merge's per-account limit over any rolling minute; 100 (the entry plan) unless set, 0 turns it off. */
  rateLimitPerMinute?: number;
  /** The limit's window; tests shorten Merge's minute. */
  rateLimitWindowMs?: number;
  /** What a removed deal looks like: flagged `remote_was_deleted` (default) or gone with a 404. */
  removedDeals?: 'flag' | '404';
};

export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 499 when the client hung up before any answer (a note POST held by `timeout_after_write`). */
  status: number;
  /** Which linked account's token it carried. */
  accountToken?: string;
};

export type MergeSimulator = {
  /** Stands in for `https://api.merge.dev/api`: requests go to `${url}/crm/v1/...`. */
  url: string;
  close(): Promise<void>;
  moveDeal(id: string, stageName: string): CrmOpportunity;
  setAmount(id: string, amount: number | null): CrmOpportunity;
  removeDeal(id: string): CrmOpportunity;
  getDeal(id: string): CrmOpportunity | undefined;
  listDeals(): CrmOpportunity[];
  webhookFor(id: string, event: OpportunityEvent, key: string, target?: string): WebhookDelivery;
  /** Builds the delivery for `targetUrl` and posts it there with Merge's signature header. */
  deliverWebhook(id: string, event: OpportunityEvent, key: string, targetUrl: string): Promise<{ status: number; body: string }>;
  setFaults(faults: MergeFaults): void;
  setStatus(id: string, status: string | null): CrmOpportunity;
  touchDeal(id: string): CrmOpportunity;
  putRawOpportunity(raw: Record<string, unknown> & { id: string }): void;
  /** Turns the Note write scope of one linked account (by account token) on or off; on for every account at start. */
  setNoteWrites(accountToken: string, allowed: boolean): void;
  /** Notes as stored, written ones included (unexpanded); all, or one deal's. */
  listNotes(opportunityId?: string): CrmNote[];
  /** 429s answered because of the rate limit (not injected faults). */
  throttled(): number;
  /** Every /crm request in arrival order, path relative to `url`; clear with `requests.length = 0`. */
  requests: RecordedRequest[];
};

const BASE = '/api';

/** Merge's API over HTTP on loopback, backed by an in-memory linked account (a Salesforce-like CRM). */
export async function createMergeSimulator(opts: MergeSimulatorOptions): Promise<MergeSimulator> {
  const store = createCrmStore(opts.seed ?? defaultCrmSeed, Date.now, { removedDeals: opts.removedDeals ?? 'flag' });
  const limit = createRateLimit(opts.rateLimitPerMinute ?? 100, Date.now, opts.rateLimitWindowMs ?? 60_000);
  const faults = createFaultState();
  const permissions = createWritePermissions([opts.accountToken, ...(opts.extraAccountTokens ?? [])]);
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  const log = opts.log ?? (() => {});

  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.setErrorHandler(async (err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof CrmSimError) return reply.code(err.status).send(err.body);
    if (err instanceof RangeError) return reply.code(400).send({ detail: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.code(status).send({ detail: status === 500 ? 'Internal server error.' : err.message });
  });
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ detail: 'Not found.' }));
  app.addHook('preClose', async () => closing.abort());

  await app.register(
    async (crm) => {
      crm.addHook('onRequest', async (req, reply) => {
        if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal: closing.signal }).catch(() => {});
        if (!authorised(req, reply)) return reply;
        const throttle = limit.check(String(req.headers['x-account-token']));
        if (throttle) return sendFault(reply, { status: 429, ...throttle });
        const fault = faults.take();
        if (fault) return sendFault(reply, fault);
      });
      crm.addHook('onResponse', async (req, reply) => record(req, reply.statusCode, reply.elapsedTime));
      registerCrmRoutes(crm, store);
      registerNoteWriteRoutes(crm, {
        store,
        faults,
        permissions,
        closing: closing.signal,
        onAbandoned: (req, reply) => record(req, 499, reply.elapsedTime),
      });
    },
    { prefix: `${BASE}/crm/v1` },
  );
  await app.register(async (control) => registerControlRoutes(control, { store, faults, requests, permissions }), {
    prefix: `${BASE}/_sim`,
  });

  function record(req: FastifyRequest, status: number, ms: number): void {
    const path = new URL(req.url, 'http://sim.invalid').pathname.slice(BASE.length);
    const accountToken = req.headers['x-account-token'];
    requests.push({
      method: req.method,
      path,
      query: queryOf(req.url),
      status,
      ...(typeof accountToken === 'string' ? { accountToken } : {}),
    });
    log(`merge-sim ${req.method} ${path} ${status} ${ms.toFixed(0)}ms`);
  }

  function authorised(req: FastifyRequest, reply: FastifyReply): boolean {
    const auth = req.headers.authorization;
    const token = req.headers['x-account-token'];
    const bearer = typeof auth === 'string' && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : undefined;
    let detail: string | undefined;
    if (!bearer) detail = 'Authentication credentials were not provided.';
    else if (bearer !== opts.apiKey) detail = 'Invalid token.';
    else if (typeof token !== 'string' || token === '') detail = 'Account token was not provided in the X-Account-Token header.';
    else if (token !== opts.accountToken && !opts.extraAccountTokens?.includes(token)) detail = 'Invalid account token.';
    if (detail === undefined) return true;
    void reply.code(401).header('www-authenticate', 'Bearer realm="api"').send({ detail });
    return false;
  }

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const url = `${listenOrigin(app)}${BASE}`;
  log(`merge-sim listening on ${url}`);

  return {
    url,
    async close() {
      await app.close();
    },
    moveDeal: store.moveDeal,
    setAmount: store.setAmount,
    removeDeal: store.removeDeal,
    getDeal: store.getDeal,
    listDeals: store.listDeals,
    webhookFor: (id, event, key, target) => buildOpportunityWebhook(store, id, event, key, target),
    deliverWebhook: (id, event, key, targetUrl) => postWebhook(buildOpportunityWebhook(store, id, event, key, targetUrl), targetUrl),
    setFaults: (f) => faults.set(f),
    setStatus: store.setStatus,
    touchDeal: store.touchDeal,
    putRawOpportunity: store.putRawOpportunity,
    setNoteWrites: (token, allowed) => void permissions.setNotesAllowed(token, allowed),
    listNotes: store.listNotes,
    throttled: () => limit.throttled,
    requests,
  };
}

const FAULT_DETAIL: Record<number, string> = {
  429: 'Request was throttled.',
  500: 'A server error occurred.',
  503: 'Service temporarily unavailable, try again later.',
};

function sendFault(reply: FastifyReply, fault: { status: number; retryAfterSeconds?: number }): FastifyReply {
  if (fault.retryAfterSeconds !== undefined) void reply.header('retry-after', String(Math.ceil(fault.retryAfterSeconds)));
  const wait =
    fault.status === 429 && fault.retryAfterSeconds !== undefined
      ? ` Expected available in ${Math.ceil(fault.retryAfterSeconds)} seconds.`
      : '';
  return reply.code(fault.status).send({ detail: `${FAULT_DETAIL[fault.status] ?? 'Error.'}${wait}` });
}
