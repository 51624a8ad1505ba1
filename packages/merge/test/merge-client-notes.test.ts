import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MergeBudget, MergePriority } from '../src/merge-budget.ts';
import { createMergeClient, MergeApiError, MergeWriteError, noteWriteVerdict } from '../src/merge-client.ts';
import type { MetaResponse } from '../src/merge-models.ts';

/**
 * A real HTTP server on loopback stands in for Merge, answering each request with the handler the test set.
 * Every request is counted before it is answered, so "exactly one request" holds even when none is answered.
 */
type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: string };
type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

let server: Server;
let base: string;
let handler: Handler;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      seen.push(s);
      handler(req, res, s);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
});

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

/** A budget that grants at once and remembers what was asked of it. */
function fakeBudget() {
  const calls = { acquire: [] as MergePriority[], pause: [] as Array<number | undefined>, failure: 0 };
  const budget = {
    limitPerMinute: 100,
    windowMs: 60_000,
    acquire: async (_account: string, priority: MergePriority) => {
      calls.acquire.push(priority);
      return { at: Date.now(), remaining: 99, waitedMs: 0 };
    },
    pause: async (_account: string, ms: number | undefined) => void calls.pause.push(ms),
    failure: async () => void calls.failure++,
    used: async () => calls.acquire.length,
  } as unknown as MergeBudget;
  return { budget, calls };
}

function client(extra: { budget?: MergeBudget; writeTimeoutMs?: number; baseUrl?: string } = {}) {
  const requests: Array<{ path: string; method: string; status: number | 'error' }> = [];
  const merge = createMergeClient({
    baseUrl: extra.baseUrl ?? base,
    apiKey: 'k-notes',
    accountToken: 'acct-notes',
    baseDelayMs: 1,
    ...(extra.budget ? { budget: extra.budget } : {}),
    ...(extra.writeTimeoutMs ? { writeTimeoutMs: extra.writeTimeoutMs } : {}),
    onRequest: (i) => requests.push({ path: i.path, method: i.method, status: i.status }),
  });
  return { merge, requests };
}

const DEAL = '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5';
const NOTE = { opportunity: DEAL, content: 'Alert outcome: VP reached, call held.' };

async function writeError(p: Promise<unknown>): Promise<MergeWriteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MergeWriteError);
  expect(err).toBeInstanceOf(MergeApiError);
  return err as MergeWriteError;
}

describe('createNote', () => {
  it('201: posts the model with both headers, answers the new id and the warnings as text, spends one notes grant', async () => {
    handler = json(201, {
      model: { id: 'n-1', remote_id: '0025g00000ABCDEAAV', content: NOTE.content, opportunity: DEAL },
      warnings: [
        { title: 'Unrecognized Field', detail: 'An unrecognized field, colour, was passed in.', problem_type: 'UNRECOGNIZED_FIELD' },
      ],
      errors: [],
    });
    const { budget, calls } = fakeBudget();
    const { merge, requests } = client({ budget });
    const out = await merge.createNote({ ...NOTE, account: 'acc-1', owner: null });
    expect(out).toEqual({ id: 'n-1', warnings: ['UNRECOGNIZED_FIELD: Unrecognized Field: An unrecognized field, colour, was passed in.'] });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req).toMatchObject({ method: 'POST', url: '/api/crm/v1/notes' });
    expect(req!.headers).toMatchObject({ authorization: 'Bearer k-notes', 'x-account-token': 'acct-notes' });
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    // account given, owner null: only what was given travels.
    expect(JSON.parse(req!.body)).toEqual({ model: { opportunity: DEAL, content: NOTE.content, account: 'acc-1' } });
    expect(calls.acquire).toEqual(['notes']);
    expect(requests).toEqual([{ path: '/crm/v1/notes', method: 'POST', status: 201 }]);
  });

  it('uses the priority the caller gives', async () => {
    handler = json(201, { model: { id: 'n-2' }, warnings: [], errors: [] });
    const { budget, calls } = fakeBudget();
    await client({ budget }).merge.createNote(NOTE, { priority: 'triage' });
    expect(calls.acquire).toEqual(['triage']);
  });

  it('201 with errors: nothing was written (not_written), with the problem type', async () => {
    handler = json(201, {
      model: { id: null },
      warnings: [],
      errors: [{ title: 'Provider Error', detail: 'The CRM refused it.', problem_type: 'PROVIDER_ERROR', source: { pointer: '/model' } }],
    });
    const err = await writeError(client().merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 201, problemType: 'PROVIDER_ERROR', retryable: false });
    expect(err.message).toContain('Provider Error');
    expect(seen).toHaveLength(1);
  });

  it('403 DISABLED_MODEL_WRITE: not_written, problemType set, a readable message, counted as a 4xx by the budget', async () => {
    handler = json(403, {
      errors: [
        {
          title: 'Writing to Disabled Model',
          detail: 'A write request to a disabled model was attempted.',
          problem_type: 'DISABLED_MODEL_WRITE',
        },
      ],
    });
    const { budget, calls } = fakeBudget();
    const err = await writeError(client({ budget }).merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 403, problemType: 'DISABLED_MODEL_WRITE', retryable: false });
    expect(err.message).toBe(
      'Merge POST /crm/v1/notes answered 403 (nothing written): DISABLED_MODEL_WRITE: Writing to Disabled Model: A write request to a disabled model was attempted.',
    );
    expect(calls.failure).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('400 with a plain Django detail still reads', async () => {
    handler = json(400, { detail: 'Malformed request.' });
    const err = await writeError(client().merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 400, problemType: null });
    expect(err.message).toContain('Malformed request.');
  });

  it('500: outcome unknown and exactly one request, although GETs would retry', async () => {
    handler = json(500, { detail: 'A server error occurred.' });
    const { merge, requests } = client();
    const err = await writeError(merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'unknown', status: 500, retryable: false });
    expect(seen).toHaveLength(1);
    expect(requests).toHaveLength(1);
  });

  it('429: not_written, pauses the budget for Retry-After, not sent again, and retryable later', async () => {
    handler = json(429, { detail: 'Request was throttled. Expected available in 3 seconds.' }, { 'retry-after': '3' });
    const { budget, calls } = fakeBudget();
    const err = await writeError(client({ budget }).merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 429, retryable: true });
    expect(calls.pause).toEqual([3000]);
    expect(calls.failure).toBe(0);
    expect(seen).toHaveLength(1);
  });

  it('a timeout: outcome unknown, one request', async () => {
    handler = () => {}; // never answers
    const t0 = Date.now();
    const err = await writeError(client({ writeTimeoutMs: 200 }).merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'unknown', status: 0, retryable: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(seen).toHaveLength(1);
  });

  it('a 201 whose body stalls: outcome unknown (the errors could not be read)', async () => {
    handler = (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{"model": {"id": "n-3"}, ');
    };
    const err = await writeError(client({ writeTimeoutMs: 200 }).merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'unknown', status: 201 });
    expect(seen).toHaveLength(1);
  });

  it('the connection dropped after the request was sent: unknown', async () => {
    handler = (req) => req.socket.destroy();
    const err = await writeError(client().merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'unknown', status: 0 });
    expect(seen).toHaveLength(1);
  });

  it('nobody listening: nothing was sent, so not_written and retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await writeError(client({ baseUrl: `http://127.0.0.1:${port}/api` }).merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 0, retryable: true });
  });

  it('a redirect is not followed (fetch would re-send it as a GET)', async () => {
    handler = (_req, res) => res.writeHead(307, { location: `${base}/crm/v1/notes` }).end();
    const err = await writeError(client().merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 307 });
    expect(seen).toHaveLength(1);
  });
});

const noteSchema = (model: Record<string, unknown>) => ({ type: 'object', properties: { model }, required: ['model'] });
const FIELDS = {
  owner: { type: ['string', 'null'], format: 'uuid' },
  content: { type: ['string', 'null'] },
  contact: { type: ['string', 'null'], format: 'uuid' },
  account: { type: ['string', 'null'], format: 'uuid' },
  opportunity: { type: ['string', 'null'], format: 'uuid' },
};
const meta = (over: Partial<MetaResponse> = {}): MetaResponse => ({
  request_schema: noteSchema({ type: 'object', properties: FIELDS, required: ['content'] }),
  remote_field_classes: {},
  status: { linked_account_status: 'COMPLETE', can_make_request: true },
  has_conditional_params: false,
  has_required_linked_account_params: false,
  ...over,
});

describe('noteWriteMeta', () => {
  it('GETs /crm/v1/notes/meta/post and can write when the account may and the schema has content and opportunity', async () => {
    handler = json(200, meta());
    const { budget, calls } = fakeBudget();
    expect(await client({ budget }).merge.noteWriteMeta()).toEqual({ canWrite: true, reason: null, required: ['content'] });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api/crm/v1/notes/meta/post']);
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer k-notes', 'x-account-token': 'acct-notes' });
    expect(calls.acquire).toEqual(['notes']);
  });

  it('cannot write when Merge says the account cannot make the request', async () => {
    handler = json(200, meta({ status: { linked_account_status: 'COMPLETE', can_make_request: false } }));
    const out = await client().merge.noteWriteMeta();
    expect(out.canWrite).toBe(false);
    expect(out.reason).toMatch(/cannot make the request.*COMPLETE/);
  });

  it('cannot write when the schema lacks opportunity (or content)', async () => {
    const { opportunity: _o, ...withoutOpportunity } = FIELDS;
    handler = json(200, meta({ request_schema: noteSchema({ type: 'object', properties: withoutOpportunity }) }));
    expect(await client().merge.noteWriteMeta()).toMatchObject({ canWrite: false, reason: expect.stringContaining('opportunity') });
    const { content: _c, ...withoutContent } = FIELDS;
    expect(noteWriteVerdict(meta({ request_schema: noteSchema({ type: 'object', properties: withoutContent }) })).reason).toContain(
      'content',
    );
  });

  it('403 and 404 for the meta endpoint are answers, not failures', async () => {
    handler = json(403, { detail: 'You do not have permission to perform this action.' });
    expect(await client().merge.noteWriteMeta()).toMatchObject({ canWrite: false, reason: expect.stringContaining('403') });
    handler = json(404, { detail: 'Not found.' });
    expect(await client().merge.noteWriteMeta()).toMatchObject({ canWrite: false, reason: expect.stringContaining('404') });
  });

  it('other failures throw as reads do (retried first)', async () => {
    handler = json(500, { detail: 'A server error occurred.' });
    const merge = createMergeClient({ baseUrl: base, apiKey: 'k', accountToken: 't', maxRetries: 1, baseDelayMs: 1 });
    await expect(merge.noteWriteMeta()).rejects.toMatchObject({ name: 'MergeApiError', status: 500 });
    expect(seen).toHaveLength(2);
  });

  it('fields the integration requires that a note of ours does not carry make it unwritable', () => {
    const out = noteWriteVerdict(
      meta({ request_schema: noteSchema({ type: 'object', properties: FIELDS, required: ['content', 'contact'] }) }),
    );
    expect(out).toMatchObject({ canWrite: false, required: ['content', 'contact'] });
    expect(out.reason).toContain('contact');
    expect(noteWriteVerdict(meta({ has_required_linked_account_params: true })).canWrite).toBe(false);
  });

  it('reads a schema given without the model wrapper, and tolerates a missing status', () => {
    const { status: _s, ...noStatus } = meta({ request_schema: { type: 'object', properties: FIELDS } });
    expect(noteWriteVerdict(noStatus as MetaResponse)).toEqual({ canWrite: true, reason: null, required: [] });
  });
});
