import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { createHash } from 'node:crypto';
import {
  accountSchema,
  loosePageSchema,
  metaResponseSchema,
  noteCreateResponseSchema,
  noteSchema,
  opportunitySchema,
  stageSchema,
  userSchema,
  validationProblemSchema,
  type MetaResponse,
  type Note,
  type Opportunity,
  type ValidationProblem,
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
  /** Bound of a note POST; Merge writes through to the CRM while the request waits, so longer than a read's. */
  writeTimeoutMs?: number;
  fetch?: typeof fetch;
  onRequest?: (info: { path: string; method: 'GET' | 'POST'; status: number | 'error'; ms: number; attempt: number }) => void;
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

/**
 * How a write that failed left the CRM: `not_written` when Merge surely wrote nothing (a 4xx, 429 included, or
 * a 201 whose `errors[]` is not empty), `unknown` when the request may have been carried out (a timeout, a
 * broken connection, a 5xx). Sending an `unknown` write again can write it twice.
 */
export type WriteOutcome = 'not_written' | 'unknown';

export class MergeWriteError extends MergeApiError {
  override name = 'MergeWriteError';
  readonly outcome: WriteOutcome;
  /** Merge's `problem_type` of the first problem it named (e.g. DISABLED_MODEL_WRITE), else null. */
  readonly problemType: string | null;
  readonly problems: ValidationProblem[];
  constructor(status: number, message: string, outcome: WriteOutcome, problems: ValidationProblem[] = []) {
    super(status, message);
    this.outcome = outcome;
    this.problems = problems;
    this.problemType = problems.find((p) => p.problem_type)?.problem_type ?? null;
  }
  /** Worth sending again later: nothing was written and the cause passes (a 429, no connection made). */
  override get retryable(): boolean {
    return this.outcome === 'not_written' && (this.status === 429 || this.status === 0);
  }
}

export type NoteInput = { opportunity: string; content: string; account?: string | null; owner?: string | null };

/** What `GET /crm/v1/notes/meta/post` says about writing notes to this linked account. */
export type NoteWriteMeta = {
  canWrite: boolean;
  /** Why not, when canWrite is false. */
  reason: string | null;
  /** The model fields the integration requires (from the request schema). */
  required: string[];
};

/** The model fields createNote can send; an integration requiring any other field cannot take our notes. */
const NOTE_FIELDS = ['opportunity', 'content', 'account', 'owner'];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads a MetaResponse. Merge's request_schema describes the whole body, so the model's fields sit under
 * `properties.model`; a schema without that wrapper is read as the model's own.
 */
export function noteWriteVerdict(meta: MetaResponse): NoteWriteMeta {
  if (meta.status && meta.status.can_make_request === false) {
    const state = meta.status.linked_account_status ?? 'unknown';
    return {
      canWrite: false,
      reason: `Merge says this linked account cannot make the request (linked account status ${state})`,
      required: [],
    };
  }
  const wrapper = isObject(meta.request_schema['properties']) ? meta.request_schema['properties']['model'] : undefined;
  const model = isObject(wrapper) ? wrapper : meta.request_schema;
  const props = isObject(model['properties']) ? model['properties'] : {};
  const required = Array.isArray(model['required']) ? model['required'].filter((f): f is string => typeof f === 'string') : [];
  const missing = ['content', 'opportunity'].filter((f) => !(f in props));
  if (missing.length > 0) return { canWrite: false, reason: `the note request schema has no ${missing.join(' or ')} field`, required };
  const unmet = required.filter((f) => !NOTE_FIELDS.includes(f));
  if (unmet.length > 0)
    return { canWrite: false, reason: `the integration requires ${unmet.join(', ')}, which a note we write does not carry`, required };
  if (meta.has_required_linked_account_params === true)
    return { canWrite: false, reason: 'the integration requires linked_account_params, which a note we write does not carry', required };
  return { canWrite: true, reason: null, required };
}

/** The problems a Merge answer lists in `errors` (or `warnings`); an entry of another shape is kept as text. */
function problemsOf(list: unknown): ValidationProblem[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry) => {
    const parsed = validationProblemSchema.safeParse(entry);
    return parsed.success ? parsed.data : { detail: typeof entry === 'string' ? entry : JSON.stringify(entry) };
  });
}

const describeProblem = (p: ValidationProblem) => [p.problem_type, p.title, p.detail].filter(Boolean).join(': ') || 'unspecified problem';

/** Failures that happen before a byte of the request leaves: the server cannot have acted on it. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
function neverSent(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } }).cause;
  if (!cause) return false;
  if (typeof cause.code === 'string' && NEVER_SENT.has(cause.code)) return true;
  // Node tries each address of a host in turn; every one refusing is still a refusal.
  return (
    Array.isArray(cause.errors) &&
    cause.errors.length > 0 &&
    cause.errors.every((e) => typeof e.code === 'string' && NEVER_SENT.has(e.code))
  );
}

function retryAfterOf(res: Response): number | undefined {
  const ra = res.headers.get('retry-after');
  const ms = ra ? (/^\d+$/.test(ra) ? Number(ra) * 1000 : Math.max(0, Date.parse(ra) - Date.now())) : undefined;
  return ms === undefined || Number.isNaN(ms) ? undefined : ms;
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
      opts.onRequest?.({ path, method: 'GET', status: 'error', ms: performance.now() - started, attempt });
      return { error: new MergeApiError(0, `Merge ${path}: ${(err as Error).message}`) };
    }
    opts.onRequest?.({ path, method: 'GET', status: res.status, ms: performance.now() - started, attempt });
    if (!res.ok) {
      await res.body?.cancel();
      const retryAfterMs = retryAfterOf(res);
      return {
        error: new MergeApiError(res.status, `Merge ${path} answered ${res.status}`),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    const parsed = schema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) {
      // A 2xx with a body we cannot read will not improve by asking again.
      return { error: new MergeApiError(422, `Merge ${path}: unexpected response shape`) };
    }
    return { data: parsed.data };
  }

  /**
   * One POST, never repeated here: a request whose outcome is unknown may have written the note, and Merge's
   * Idempotency-Key is a beta that must be enabled per organisation, so only the caller (which knows whether
   * the note is already recorded as written) may decide to send it again.
   */
  async function postOnce<T extends z.ZodType>(path: string, body: unknown, schema: T, call: CallOptions): Promise<z.infer<T>> {
    if (budget) await budget.acquire(account, call.priority, call.maxWaitMs === undefined ? {} : { maxWaitMs: call.maxWaitMs });
    const started = performance.now();
    const report = (status: number | 'error') =>
      opts.onRequest?.({ path, method: 'POST', status, ms: performance.now() - started, attempt: 0 });
    const signal = AbortSignal.timeout(opts.writeTimeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${opts.apiKey}`,
          'x-account-token': opts.accountToken,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        // A redirected POST would be re-sent (as a GET, by fetch's rules): answer with the 3xx instead.
        redirect: 'manual',
        signal,
      });
    } catch (err) {
      report('error');
      if (neverSent(err)) throw new MergeWriteError(0, `Merge POST ${path} (nothing sent): ${(err as Error).message}`, 'not_written');
      throw new MergeWriteError(0, `Merge POST ${path} (it may have been written): ${(err as Error).message}`, 'unknown');
    }
    report(res.status);
    // The body is read under the same bound: a 201 whose body never finishes is an unknown outcome too.
    const text = await res.text().catch(() => undefined);
    let answer: unknown;
    try {
      answer = text ? JSON.parse(text) : undefined;
    } catch {
      answer = undefined;
    }
    if (res.ok) {
      const parsed = schema.safeParse(answer);
      const errors = parsed.success ? problemsOf((parsed.data as { errors?: unknown }).errors) : [];
      if (!parsed.success)
        throw new MergeWriteError(
          res.status,
          `Merge POST ${path} answered ${res.status} with a body we cannot read (it may have been written)`,
          'unknown',
        );
      if (errors.length > 0)
        throw new MergeWriteError(
          res.status,
          `Merge POST ${path} answered ${res.status} with errors (nothing written): ${errors.map(describeProblem).join('; ')}`,
          'not_written',
          errors,
        );
      return parsed.data;
    }
    const problems = problemsOf(isObject(answer) ? answer['errors'] : undefined);
    const detail = isObject(answer) && typeof answer['detail'] === 'string' ? answer['detail'] : undefined;
    const said = problems.length > 0 ? `: ${problems.map(describeProblem).join('; ')}` : detail ? `: ${detail}` : '';
    if (budget && res.status === 429) await budget.pause(account, retryAfterOf(res));
    else if (budget && res.status >= 400 && res.status < 500) await budget.failure(account);
    if (res.status >= 500)
      throw new MergeWriteError(
        res.status,
        `Merge POST ${path} answered ${res.status} (it may have been written)${said}`,
        'unknown',
        problems,
      );
    throw new MergeWriteError(res.status, `Merge POST ${path} answered ${res.status} (nothing written)${said}`, 'not_written', problems);
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
    /**
     * Whether this linked account can take our notes. A 403/404 for the meta endpoint is an answer too (no
     * write scope, no note writes in this integration); other failures throw as reads do.
     */
    async noteWriteMeta(call: CallOptions = { priority: 'notes' }): Promise<NoteWriteMeta> {
      const path = '/crm/v1/notes/meta/post';
      let meta: MetaResponse;
      try {
        meta = await get(path, {}, metaResponseSchema, call);
      } catch (err) {
        if (err instanceof MergeApiError && err.status === 403)
          return {
            canWrite: false,
            reason: `Merge answered 403 to ${path}: no permission to write notes for this linked account`,
            required: [],
          };
        if (err instanceof MergeApiError && err.status === 404)
          return { canWrite: false, reason: `Merge answered 404 to ${path}: this integration offers no note writes`, required: [] };
        throw err;
      }
      return noteWriteVerdict(meta);
    },
    /**
     * Writes one note on a deal: one request, one budget grant, never retried. Failure is a MergeWriteError
     * whose `outcome` says whether the note may exist all the same; MergeBudgetTimeout means nothing was sent.
     */
    async createNote(input: NoteInput, call: CallOptions = { priority: 'notes' }): Promise<{ id: string | null; warnings: string[] }> {
      const model: Record<string, string> = { opportunity: input.opportunity, content: input.content };
      if (input.account !== undefined && input.account !== null) model['account'] = input.account;
      if (input.owner !== undefined && input.owner !== null) model['owner'] = input.owner;
      const answer = await postOnce('/crm/v1/notes', { model }, noteCreateResponseSchema, call);
      return { id: answer.model?.id ?? null, warnings: problemsOf(answer.warnings).map(describeProblem) };
    },
    listUsers: (call: CallOptions) => listAll('/crm/v1/users', userSchema, call),
    listAccounts: (call: CallOptions) => listAll('/crm/v1/accounts', accountSchema, call),
    listStages: (call: CallOptions) => listAll('/crm/v1/stages', stageSchema, call),
  };
}

export type MergeClient = ReturnType<typeof createMergeClient>;
