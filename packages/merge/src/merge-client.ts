import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { noteSchema, opportunitySchema, pageSchema, type Note, type Opportunity } from './merge-models.ts';

export type MergeClientOptions = {
  baseUrl: string;
  apiKey: string;
  accountToken: string;
  /** Attempts after the first on 429/5xx/network errors. */
  maxRetries?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  onRequest?: (info: { path: string; status: number | 'error'; ms: number; attempt: number }) => void;
};

export class MergeApiError extends Error {
  override name = 'MergeApiError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500 || this.status === 0;
  }
}

const EXPAND = 'owner,account,stage';

/**
 * A small typed client rather than @mergeapi/merge-node-client: the SDK is CommonJS on node-fetch@2 and
 * rewrites wire fields to camelCase Dates, while we validate Merge's snake_case wire shapes with zod and
 * want our own retry policy (Retry-After honoured, bounded) visible in one place.
 */
export function createMergeClient(opts: MergeClientOptions) {
  const doFetch = opts.fetch ?? fetch;
  const maxRetries = opts.maxRetries ?? 4;
  const baseDelay = opts.baseDelayMs ?? 250;
  const base = opts.baseUrl.replace(/\/$/, '');

  async function get<T extends z.ZodType>(path: string, query: Record<string, string | undefined>, schema: T): Promise<z.infer<T>> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    for (let attempt = 0; ; attempt++) {
      const result = await attemptGet(url, path, attempt, schema);
      if ('data' in result) return result.data;
      if (!result.error.retryable || attempt >= maxRetries) throw result.error;
      const backoff = Math.min(baseDelay * 2 ** attempt, 10_000) * (0.8 + Math.random() * 0.4);
      await sleep(Math.min(result.retryAfterMs ?? backoff, 30_000));
    }
  }

  async function attemptGet<T extends z.ZodType>(
    url: URL,
    path: string,
    attempt: number,
    schema: T,
  ): Promise<{ data: z.infer<T> } | { error: MergeApiError; retryAfterMs?: number }> {
    const started = performance.now();
    let res: Response;
    try {
      res = await doFetch(url, {
        headers: { authorization: `Bearer ${opts.apiKey}`, 'x-account-token': opts.accountToken, accept: 'application/json' },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      opts.onRequest?.({ path, status: 'error', ms: performance.now() - started, attempt });
      return { error: new MergeApiError(0, `Merge ${path}: ${(err as Error).message}`) };
    }
    opts.onRequest?.({ path, status: res.status, ms: performance.now() - started, attempt });
    if (!res.ok) {
      await res.body?.cancel();
      const ra = res.headers.get('retry-after');
      const retryAfterMs = ra ? (/^\d+$/.test(ra) ? Number(ra) * 1000 : Math.max(0, Date.parse(ra) - Date.now())) : undefined;
      return { error: new MergeApiError(res.status, `Merge ${path} answered ${res.status}`), ...(retryAfterMs === undefined || Number.isNaN(retryAfterMs) ? {} : { retryAfterMs }) };
    }
    const parsed = schema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) {
      // A 2xx with a body we cannot read will not improve by asking again.
      return { error: new MergeApiError(422, `Merge ${path}: unexpected response shape`) };
    }
    return { data: parsed.data };
  }

  return {
    getOpportunity(id: string): Promise<Opportunity> {
      return get(`/crm/v1/opportunities/${encodeURIComponent(id)}`, { expand: EXPAND }, opportunitySchema);
    },
    listOpportunities(q: { cursor?: string; pageSize?: number; modifiedAfter?: string } = {}) {
      return get(
        '/crm/v1/opportunities',
        {
          expand: EXPAND,
          cursor: q.cursor,
          page_size: String(Math.min(q.pageSize ?? 50, 100)),
          modified_after: q.modifiedAfter,
        },
        pageSchema(opportunitySchema),
      );
    },
    async listNotes(opportunityId: string, limit = 5): Promise<Note[]> {
      const page = await get('/crm/v1/notes', { opportunity_id: opportunityId, page_size: String(limit) }, pageSchema(noteSchema));
      return page.results;
    },
  };
}

export type MergeClient = ReturnType<typeof createMergeClient>;
