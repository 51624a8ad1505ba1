import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { createHash } from 'node:crypto';
import {
  accountSchema,
  loosePageSchema,
  noteSchema,
  opportunitySchema,
  stageSchema,
  userSchema,
  type Note,
  type Opportunity,
} from './merge-models.ts';
import type { MergeBudget, MergePriority } from './merge-budget.ts';

/** The budget is per linked account, and the account token is what names one to Merge; only a digest of it is kept. */
export function accountKeyOf(accountToken: string): string {
  return createHash('sha256').update(accountToken).digest('hex').slice(0, 16);
}

/** How one call waits for the budget: its priority and, for paths that must not hang, a bound. */
export type CallOptions = { priority: MergePriority; maxWaitMs?: number };

export type SkippedRecord = { index: number; id: string | null; reason: string };

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
  /** The shared budget; without it (unit tests of the wire format) nothing limits the calls. */
  budget?: MergeBudget;
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

export type RecordKind = 'users' | 'accounts' | 'stages';
const RECORD_SCHEMAS = { users: userSchema, accounts: accountSchema, stages: stageSchema } as const;

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
  const account = accountKeyOf(opts.accountToken);
  const budget = opts.budget;

  async function get<T extends z.ZodType>(
    path: string,
    query: Record<string, string | undefined>,
    schema: T,
    call: CallOptions,
  ): Promise<z.infer<T>> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      // Every attempt, retries included, spends budget: the limit counts requests, not intentions.
      if (budget) {
        const maxWaitMs = call.maxWaitMs === undefined ? undefined : Math.max(0, call.maxWaitMs - (Date.now() - started));
        await budget.acquire(account, call.priority, maxWaitMs === undefined ? {} : { maxWaitMs });
      }
      const result = await attemptGet(url, path, attempt, schema);
      if ('data' in result) return result.data;
      const status = result.error.status;
      if (budget && status === 429) await budget.pause(account, result.retryAfterMs);
      else if (budget && status >= 400 && status < 500) await budget.failure(account);
      if (!result.error.retryable || attempt >= maxRetries) throw result.error;
      if (budget && status === 429) continue; // the pause is the wait; acquire sleeps through it
      const backoff = Math.min(baseDelay * 2 ** attempt, 10_000) * (0.8 + Math.random() * 0.4);
      await sleep(Math.min(result.retryAfterMs ?? backoff, 30_000));
    }
  }

  /** A page whose unreadable records are skipped and reported instead of failing the page. */
  async function getLoosePage<T extends z.ZodType>(path: string, query: Record<string, string | undefined>, item: T, call: CallOptions) {
    const page = await get(path, query, loosePageSchema, call);
    const results: z.infer<T>[] = [];
    const skipped: SkippedRecord[] = [];
    page.results.forEach((raw, index) => {
      const parsed = item.safeParse(raw);
      if (parsed.success) results.push(parsed.data);
      else {
        const id = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
        const issue = parsed.error.issues[0];
        skipped.push({ index, id, reason: `${issue?.path.join('.') || '(record)'}: ${issue?.message ?? 'unreadable'}` });
      }
    });
    return { next: page.next ?? null, previous: page.previous ?? null, results, skipped };
  }

  async function listAll<T extends z.ZodType>(
    path: string,
    item: T,
    call: CallOptions,
  ): Promise<{ results: z.infer<T>[]; skipped: SkippedRecord[] }> {
    const results: z.infer<T>[] = [];
    const skipped: SkippedRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await getLoosePage(path, { page_size: '100', cursor }, item, call);
      results.push(...page.results);
      skipped.push(...page.skipped);
      cursor = page.next ?? undefined;
    } while (cursor);
    return { results, skipped };
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
      return {
        error: new MergeApiError(res.status, `Merge ${path} answered ${res.status}`),
        ...(retryAfterMs === undefined || Number.isNaN(retryAfterMs) ? {} : { retryAfterMs }),
      };
    }
    const parsed = schema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) {
      // A 2xx with a body we cannot read will not improve by asking again.
      return { error: new MergeApiError(422, `Merge ${path}: unexpected response shape`) };
    }
    return { data: parsed.data };
  }

  const triage: CallOptions = { priority: 'triage' };
  return {
    account,
    getOpportunity(id: string, call: CallOptions = triage): Promise<Opportunity> {
      return get(`/crm/v1/opportunities/${encodeURIComponent(id)}`, { expand: EXPAND }, opportunitySchema, call);
    },
    /** One page; records that do not parse are left out and listed in `skipped`. */
    listOpportunities(
      q: { cursor?: string; pageSize?: number; modifiedAfter?: string; expand?: boolean } = {},
      call: CallOptions = { priority: 'listing' },
    ) {
      return getLoosePage(
        '/crm/v1/opportunities',
        {
          ...(q.expand === false ? {} : { expand: EXPAND }),
          cursor: q.cursor,
          page_size: String(Math.min(q.pageSize ?? 50, 100)),
          modified_after: q.modifiedAfter,
        },
        opportunitySchema,
        call,
      );
    },
    /**
     * The deal's most recent notes in CRM order. Merge lists notes by its own sync time and has no ordering
     * parameter, so one full page is read and sorted by remote_created_at here.
     */
    async listNotes(opportunityId: string, limit = 5, call: CallOptions = { priority: 'notes' }): Promise<Note[]> {
      const page = await getLoosePage('/crm/v1/notes', { opportunity_id: opportunityId, page_size: '100' }, noteSchema, call);
      const when = (n: Note) => Date.parse(n.remote_created_at ?? n.created_at ?? '') || 0;
      return page.results.sort((a, b) => when(b) - when(a)).slice(0, limit);
    },
    /** One user, account or stage by id (a cache miss the last listing did not cover). */
    getRecord(kind: RecordKind, id: string, call: CallOptions = triage) {
      return get(`/crm/v1/${kind}/${encodeURIComponent(id)}`, {}, RECORD_SCHEMAS[kind], call);
    },
    listUsers: (call: CallOptions) => listAll('/crm/v1/users', userSchema, call),
    listAccounts: (call: CallOptions) => listAll('/crm/v1/accounts', accountSchema, call),
    listStages: (call: CallOptions) => listAll('/crm/v1/stages', stageSchema, call),
  };
}

export type MergeClient = ReturnType<typeof createMergeClient>;
