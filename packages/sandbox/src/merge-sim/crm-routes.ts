import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CrmStore } from './crm-store.ts';
import type { CrmAccount, CrmNote, CrmOpportunity, CrmStage, CrmUser } from './crm-wire-types.ts';
import { paginate, pageSizeFrom } from './cursor-pagination.ts';
import { choiceParam, dateParam, expandSet, isTrue, micros, newestFirstKey, queryOf } from './crm-query.ts';
import { CrmSimError } from './sim-errors.ts';

type Row = { id: string; created_at: string; modified_at: string; remote_id: string | null; remote_was_deleted: boolean };
type Query = Record<string, string>;

/** Filters every Merge list endpoint shares: Merge timestamps, remote_id, deleted rows hidden unless asked for. */
function commonFilters<T extends Row>(rows: T[], q: Query): T[] {
  const modifiedAfter = dateParam(q, 'modified_after');
  const modifiedBefore = dateParam(q, 'modified_before');
  const createdAfter = dateParam(q, 'created_after');
  const createdBefore = dateParam(q, 'created_before');
  const withDeleted = isTrue(q['include_deleted_data']);
  return rows.filter((r) => {
    const m = micros(r.modified_at) ?? 0;
    const c = micros(r.created_at) ?? 0;
    return (
      (withDeleted || !r.remote_was_deleted) &&
      (modifiedAfter === undefined || m > modifiedAfter) &&
      (modifiedBefore === undefined || m < modifiedBefore) &&
      (createdAfter === undefined || c > createdAfter) &&
      (createdBefore === undefined || c < createdBefore) &&
      (q['remote_id'] === undefined || r.remote_id === q['remote_id'])
    );
  });
}

const refId = (v: unknown) => (typeof v === 'string' ? v : v && typeof v === 'object' ? (v as { id?: unknown }).id : undefined);
const matches = (q: Query, param: string, value: unknown) => q[param] === undefined || refId(value) === q[param];

function listOf<T extends Row>(rows: T[], q: Query, sortStamp: (r: T) => string | null, expand: (r: T) => T) {
  const key = (r: T) => newestFirstKey(sortStamp(r), r.id);
  const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
  const page = paginate(sorted, key, q['cursor'], pageSizeFrom(q['page_size']));
  return { ...page, results: page.results.map(expand) };
}

function one<T>(map: ReadonlyMap<string, T>, id: string): T {
  const row = map.get(id);
  if (row === undefined) throw new CrmSimError(404, 'Not found.');
  return row;
}

const q = (req: FastifyRequest) => queryOf(req.url);

/** The read side of Merge's CRM API (`/crm/v1`), enough for the deal-alert service and its tests. */
export function registerCrmRoutes(app: FastifyInstance, store: CrmStore): void {
  app.get<{ Params: { id: string } }>('/opportunities/:id', async (req) => {
    return store.expand(one(store.opportunities, req.params.id), expandSet(q(req)['expand']));
  });

  app.get('/opportunities', async (req) => {
    const query = q(req);
    // The filter takes only the enum (as Merge's does); records may still carry other values.
    const status = choiceParam(query, 'status', ['OPEN', 'WON', 'LOST'] as const);
    const rows = commonFilters([...store.opportunities.values()], query).filter(
      (o: CrmOpportunity) =>
        (status === undefined || o.status === status) &&
        matches(query, 'account_id', o.account) &&
        matches(query, 'owner_id', o.owner) &&
        matches(query, 'stage_id', o.stage),
    );
    const rels = expandSet(query['expand']);
    return listOf(
      rows,
      query,
      (o) => o.created_at,
      (o) => store.expand(o, rels),
    );
  });

  app.get('/notes', async (req) => {
    const query = q(req);
    const rows = commonFilters([...store.notes.values()], query).filter(
      (n: CrmNote) =>
        matches(query, 'opportunity_id', n.opportunity) &&
        matches(query, 'account_id', n.account) &&
        matches(query, 'owner_id', n.owner) &&
        matches(query, 'contact_id', n.contact),
    );
    const rels = expandSet(query['expand']);
    // Merge lists notes by its own created_at (when its sync saw them), not by when they were written in the
    // CRM, and has no ordering parameter: a reader wanting "the latest notes" must sort them itself.
    return listOf(
      rows,
      query,
      (n) => n.created_at,
      (n) => store.expand(n, rels),
    );
  });

  app.get<{ Params: { id: string } }>('/notes/:id', async (req) =>
    store.expand(one(store.notes, req.params.id), expandSet(q(req)['expand'])),
  );

  app.get<{ Params: { id: string } }>('/users/:id', async (req) => one(store.users, req.params.id));
  app.get('/users', async (req) => {
    const query = q(req);
    const rows = commonFilters([...store.users.values()], query).filter(
      (u: CrmUser) => query['email'] === undefined || (u.email ?? '').toLowerCase() === query['email'].toLowerCase(),
    );
    return listOf(
      rows,
      query,
      (u) => u.created_at,
      (u) => structuredClone(u),
    );
  });

  app.get<{ Params: { id: string } }>('/accounts/:id', async (req) =>
    store.expand(one(store.accounts, req.params.id), expandSet(q(req)['expand'])),
  );
  app.get('/accounts', async (req) => {
    const query = q(req);
    const rows = commonFilters([...store.accounts.values()], query).filter(
      (a: CrmAccount) => (query['name'] === undefined || a.name === query['name']) && matches(query, 'owner_id', a.owner),
    );
    const rels = expandSet(query['expand']);
    return listOf(
      rows,
      query,
      (a) => a.created_at,
      (a) => store.expand(a, rels),
    );
  });

  app.get<{ Params: { id: string } }>('/stages/:id', async (req) => one(store.stages, req.params.id));
  app.get('/stages', async (req) => {
    const query = q(req);
    return listOf(
      commonFilters([...store.stages.values()], query),
      query,
      (s: CrmStage) => s.created_at,
      (s) => structuredClone(s),
    );
  });
}
