import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMergeClient, MergeWriteError, type MergeClient } from '@dda/merge';
import { createMergeSimulator, type MergeSimulator, type MergeSimulatorOptions } from '../src/merge-sim/index.ts';
import { FIXTURE_IDS } from '../src/seed/index.ts';

const API_KEY = 'notes-merge-key';
const TOKEN = 'account-token-northwind';
const OTHER = 'account-token-fabrikam';
const headers = (token = TOKEN) => ({ authorization: `Bearer ${API_KEY}`, 'x-account-token': token, 'content-type': 'application/json' });
const NOTE = { opportunity: FIXTURE_IDS.deal, content: 'Deal alert: VP Sales reached Dana, call held 4 min.' };

const fixtureNote = (
  JSON.parse(readFileSync(new URL('../../../fixtures/merge/notes.list.json', import.meta.url), 'utf8')) as {
    results: Record<string, unknown>[];
  }
).results[0]!;

let sim: MergeSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(extra: Partial<MergeSimulatorOptions> = {}): Promise<{ sim: MergeSimulator; merge: MergeClient }> {
  sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: TOKEN, extraAccountTokens: [OTHER], rateLimitPerMinute: 0, ...extra });
  const merge = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: TOKEN, baseDelayMs: 1, writeTimeoutMs: 400 });
  return { sim, merge };
}

const post = (s: MergeSimulator, body: unknown, token = TOKEN, query = '') =>
  fetch(`${s.url}/crm/v1/notes${query}`, { method: 'POST', headers: headers(token), body: JSON.stringify(body) });
const control = (s: MergeSimulator, path: string, body?: unknown) =>
  fetch(`${s.url}/_sim${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
const notePosts = (s: MergeSimulator) => s.requests.filter((r) => r.method === 'POST' && r.path === '/crm/v1/notes');

async function writeError(p: Promise<unknown>): Promise<MergeWriteError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MergeWriteError);
  return err as MergeWriteError;
}

describe('POST /crm/v1/notes', () => {
  it('stores the note and answers 201 { model, warnings, errors } with the stored note, listed like synced ones', async () => {
    const { sim, merge } = await start();
    const before = sim.listNotes(FIXTURE_IDS.deal).length;
    const res = await post(sim, { model: { ...NOTE, account: FIXTURE_IDS.account, owner: FIXTURE_IDS.owner } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { model: Record<string, unknown>; warnings: unknown[]; errors: unknown[] };
    expect(Object.keys(body).sort()).toEqual(['errors', 'model', 'warnings']);
    expect(body).toMatchObject({ warnings: [], errors: [], model: { ...NOTE, account: FIXTURE_IDS.account, owner: FIXTURE_IDS.owner } });
    // The same key set as a note Merge synced (fixture), with every stamp filled.
    expect(Object.keys(body.model).sort()).toEqual(Object.keys(fixtureNote).sort());
    for (const k of ['id', 'remote_id', 'created_at', 'modified_at', 'remote_created_at', 'remote_updated_at'])
      expect(typeof body.model[k], k).toBe('string');
    expect(body.model['contact']).toBeNull();

    expect(sim.listNotes(FIXTURE_IDS.deal)).toHaveLength(before + 1);
    const id = body.model['id'] as string;
    const one = await fetch(`${sim.url}/crm/v1/notes/${id}`, { headers: headers() });
    expect(await one.json()).toEqual(body.model);
    // Newest Merge created_at first in the listing, and first in the client's CRM order too.
    const page = (await (await fetch(`${sim.url}/crm/v1/notes?opportunity_id=${FIXTURE_IDS.deal}`, { headers: headers() })).json()) as {
      results: Array<{ id: string }>;
    };
    expect(page.results[0]!.id).toBe(id);
    expect((await merge.listNotes(FIXTURE_IDS.deal, 1))[0]).toMatchObject({ id, content: NOTE.content });
    expect(notePosts(sim)).toEqual([{ method: 'POST', path: '/crm/v1/notes', query: {}, status: 201, accountToken: TOKEN }]);
  });

  it('the client writes a note and gets its id back', async () => {
    const { sim, merge } = await start();
    const { id, warnings } = await merge.createNote(NOTE);
    expect(warnings).toEqual([]);
    expect(sim.listNotes().find((n) => n.id === id)).toMatchObject({ ...NOTE, account: null, owner: null });
  });

  it('validates: unknown deal, wrong content type, missing model; 400 in Merge error shape and nothing stored', async () => {
    const { sim, merge } = await start();
    const count = sim.listNotes().length;
    const unknownDeal = await post(sim, { model: { ...NOTE, opportunity: '00000000-0000-4000-8000-000000000000' } });
    expect(unknownDeal.status).toBe(400);
    expect(await unknownDeal.json()).toMatchObject({
      errors: [{ problem_type: 'ERROR', source: { pointer: '/model/opportunity' }, title: expect.any(String), detail: expect.any(String) }],
    });
    const badContent = (await (await post(sim, { model: { ...NOTE, content: 42 } })).json()) as { errors: Array<{ problem_type: string }> };
    expect(badContent.errors.map((e) => e.problem_type)).toEqual(['INCORRECT_FIELD_TYPE']);
    const noModel = await post(sim, { note: NOTE });
    expect(noModel.status).toBe(400);
    expect(((await noModel.json()) as { errors: Array<{ problem_type: string }> }).errors[0]!.problem_type).toBe('MISSING_REQUIRED_FIELD');
    const missing = (await (await post(sim, { model: {} })).json()) as { errors: Array<{ source: { pointer: string } }> };
    expect(missing.errors.map((e) => e.source.pointer)).toEqual(['/model/content', '/model/opportunity']);
    const err = await writeError(merge.createNote({ ...NOTE, owner: 'no-such-user' }));
    expect(err).toMatchObject({ outcome: 'not_written', status: 400, problemType: 'ERROR' });
    expect(sim.listNotes()).toHaveLength(count);
  });

  it('a removed deal takes no notes', async () => {
    const { sim } = await start();
    sim.removeDeal(FIXTURE_IDS.deal);
    expect((await post(sim, { model: NOTE })).status).toBe(400);
  });

  it('ignores fields NoteRequest does not have, with a warning', async () => {
    const { sim } = await start();
    const res = await post(sim, { model: { ...NOTE, colour: 'red' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { model: Record<string, unknown>; warnings: Array<{ problem_type: string }> };
    expect(body.warnings.map((w) => w.problem_type)).toEqual(['UNRECOGNIZED_FIELD']);
    expect(body.model).not.toHaveProperty('colour');
  });

  it('adds logs only in debug mode', async () => {
    const { sim } = await start();
    expect(await (await post(sim, { model: NOTE }, TOKEN, '?is_debug_mode=true')).json()).toHaveProperty('logs', []);
  });

  it('needs both credentials, like reads', async () => {
    const { sim } = await start();
    const res = await fetch(`${sim.url}/crm/v1/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: NOTE }),
    });
    expect(res.status).toBe(401);
  });
});

describe('GET /crm/v1/notes/meta/post and the write permission', () => {
  it('answers a MetaResponse whose schema has the note fields under model', async () => {
    const { sim, merge } = await start();
    const res = await fetch(`${sim.url}/crm/v1/notes/meta/post`, { headers: headers() });
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown> & {
      request_schema: { properties: { model: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(meta).sort()).toEqual([
      'has_conditional_params',
      'has_required_linked_account_params',
      'remote_field_classes',
      'request_schema',
      'status',
    ]);
    expect(Object.keys(meta.request_schema.properties.model.properties).sort()).toEqual([
      'account',
      'contact',
      'content',
      'opportunity',
      'owner',
    ]);
    expect(meta['status']).toEqual({ linked_account_status: 'COMPLETE', can_make_request: true });
    expect(await merge.noteWriteMeta()).toEqual({ canWrite: true, reason: null, required: ['content', 'opportunity'] });
  });

  it('with note writes turned off for one account: meta says it cannot, POST is 403 DISABLED_MODEL_WRITE; other accounts unaffected', async () => {
    const { sim, merge } = await start();
    const off = await control(sim, `/accounts/${TOKEN}/note-writes`, { allowed: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ account_token: TOKEN, note_writes_allowed: false });
    expect(await (await control(sim, `/accounts/${TOKEN}/note-writes`)).json()).toEqual({
      account_token: TOKEN,
      note_writes_allowed: false,
    });

    const verdict = await merge.noteWriteMeta();
    expect(verdict.canWrite).toBe(false);
    expect(verdict.reason).toContain('cannot make the request');

    const count = sim.listNotes().length;
    const res = await post(sim, { model: NOTE });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ errors: [{ problem_type: 'DISABLED_MODEL_WRITE', title: 'Writing to Disabled Model' }] });
    const err = await writeError(merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 403, problemType: 'DISABLED_MODEL_WRITE' });
    expect(sim.listNotes()).toHaveLength(count);

    const other = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: OTHER });
    expect((await other.noteWriteMeta()).canWrite).toBe(true);
    expect((await other.createNote(NOTE)).id).toEqual(expect.any(String));

    sim.setNoteWrites(TOKEN, true);
    expect((await merge.noteWriteMeta()).canWrite).toBe(true);
    expect((await merge.createNote(NOTE)).id).toEqual(expect.any(String));
  });

  it('the control route refuses unknown tokens and bodies without a boolean', async () => {
    const { sim } = await start();
    expect((await control(sim, '/accounts/nobody/note-writes', { allowed: false })).status).toBe(404);
    expect((await control(sim, `/accounts/${TOKEN}/note-writes`, { allowed: 'no' })).status).toBe(400);
    expect(() => sim.setNoteWrites('nobody', false)).toThrow();
  });
});

describe('note faults', () => {
  it('server_error_after_write: the note is stored, the answer is 500; the client reports unknown after one request', async () => {
    const { sim, merge } = await start();
    sim.setFaults({ notes: 'server_error_after_write' });
    const count = sim.listNotes(FIXTURE_IDS.deal).length;
    const err = await writeError(merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'unknown', status: 500 });
    expect(sim.listNotes(FIXTURE_IDS.deal)).toHaveLength(count + 1);
    expect(notePosts(sim).map((r) => r.status)).toEqual([500]);
  });

  it('timeout_after_write: the note is stored, no answer; the client times out once, and the log shows 499', async () => {
    const { sim, merge } = await start();
    sim.setFaults({ notes: 'timeout_after_write' });
    const count = sim.listNotes().length;
    const t0 = Date.now();
    const err = await writeError(merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'unknown', status: 0 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(sim.listNotes()).toHaveLength(count + 1);
    await expect.poll(() => notePosts(sim).map((r) => r.status)).toEqual([499]);
  });

  it('timeout_after_write holds the request until the simulator closes, without stopping the close', async () => {
    const { sim } = await start();
    sim.setFaults({ notes: 'timeout_after_write' });
    const pending = post(sim, { model: NOTE }).then(
      () => 'answered',
      () => 'failed',
    );
    await expect.poll(() => sim.listNotes().filter((n) => n.content === NOTE.content).length).toBe(1);
    await sim.close();
    expect(await pending).toBe('failed');
  });

  it('errors_in_201: 201 with errors[], nothing stored; the client reports not_written', async () => {
    const { sim, merge } = await start();
    sim.setFaults({ notes: 'errors_in_201' });
    const count = sim.listNotes().length;
    const res = await post(sim, { model: NOTE });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ model: { id: null }, warnings: [], errors: [{ problem_type: 'PROVIDER_ERROR' }] });
    const err = await writeError(merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 201, problemType: 'PROVIDER_ERROR' });
    expect(sim.listNotes()).toHaveLength(count);
  });

  it('notesCount bounds the mode; the fault set over HTTP shows in /faults; an unknown mode is a 400', async () => {
    const { sim, merge } = await start();
    const set = await control(sim, '/faults', { notes: 'errors_in_201', notesCount: 1 });
    expect(await set.json()).toMatchObject({ notes: 'errors_in_201', notesRemaining: 1 });
    await writeError(merge.createNote(NOTE));
    expect((await merge.createNote(NOTE)).id).toEqual(expect.any(String));
    expect(await (await control(sim, '/faults')).json()).toMatchObject({ notes: 'ok' });
    expect((await control(sim, '/faults', { notes: 'explode' })).status).toBe(400);
    sim.setFaults({ notes: 'server_error_after_write' });
    expect(await (await control(sim, '/faults')).json()).toMatchObject({ notes: 'server_error_after_write', notesRemaining: null });
  });

  it('a status fault hits the POST before it is handled: 500, nothing stored, yet the client cannot tell, so unknown', async () => {
    const { sim, merge } = await start();
    sim.setFaults({ status: 500, count: 1 });
    const count = sim.listNotes().length;
    expect(await writeError(merge.createNote(NOTE))).toMatchObject({ outcome: 'unknown', status: 500 });
    expect(sim.listNotes()).toHaveLength(count);
    expect(notePosts(sim)).toHaveLength(1);
  });

  it('/_sim/notes lists stored notes without counting as a Merge request', async () => {
    const { sim, merge } = await start();
    const { id } = await merge.createNote(NOTE);
    const listed = (await (await control(sim, `/notes?opportunity_id=${FIXTURE_IDS.deal}`)).json()) as Array<{ id: string }>;
    expect(listed.map((n) => n.id)).toContain(id);
    expect(sim.requests).toHaveLength(1);
  });
});

describe('rate limit', () => {
  it('POSTs count against the per-account limit with GETs; a throttled POST is not_written and stores nothing', async () => {
    const { sim, merge } = await start({ rateLimitPerMinute: 3 });
    await merge.getOpportunity(FIXTURE_IDS.deal);
    await merge.createNote(NOTE);
    await merge.noteWriteMeta();
    const count = sim.listNotes().length;
    const err = await writeError(merge.createNote(NOTE));
    expect(err).toMatchObject({ outcome: 'not_written', status: 429, retryable: true });
    expect(sim.listNotes()).toHaveLength(count);
    expect(sim.throttled()).toBe(1);
    expect(notePosts(sim).map((r) => r.status)).toEqual([201, 429]);
    // Another account has its own limit.
    const other = createMergeClient({ baseUrl: sim.url, apiKey: API_KEY, accountToken: OTHER });
    expect((await other.createNote(NOTE)).id).toEqual(expect.any(String));
  });
});
