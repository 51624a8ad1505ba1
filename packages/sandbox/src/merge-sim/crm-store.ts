import { randomUUID } from 'node:crypto';
import { normalizeStage } from '@dda/domain';
import type { CrmAccount, CrmNote, CrmOpportunity, CrmSeed, CrmStage, CrmUser, OpportunityStatus } from './crm-wire-types.ts';
import { makeNote } from './crm-records.ts';
import { createMergeClock } from './merge-timestamps.ts';
import { CrmSimError } from './sim-errors.ts';

export type Relation = 'owner' | 'account' | 'stage' | 'opportunity';

/**
 * The linked account's data, held unexpanded (relations as ids) exactly like Merge stores common models.
 * Reads hand out copies so callers can never edit the CRM behind the simulator's back.
 */
export function createCrmStore(seed: CrmSeed, now: () => number = Date.now, opts: { removedDeals?: 'flag' | '404' } = {}) {
  const data = structuredClone(seed);
  const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const users = byId(data.users);
  const accounts = byId(data.accounts);
  const stages = byId(data.stages);
  const opportunities = byId(data.opportunities);
  const notes = byId(data.notes);
  const stamp = createMergeClock(now);

  function deal(id: string): CrmOpportunity {
    const found = opportunities.get(id);
    if (!found) throw new CrmSimError(404, `No opportunity ${id}`);
    return found;
  }

  function stageNamed(name: string): CrmStage {
    const wanted = normalizeStage(name);
    const found =
      [...stages.values()].find((s) => s.name === name) ??
      [...stages.values()].find((s) => s.name !== null && normalizeStage(s.name) === wanted);
    if (!found)
      throw new CrmSimError(400, `No stage named ${JSON.stringify(name)}; known: ${[...stages.values()].map((s) => s.name).join(', ')}`);
    return found;
  }

  function touch(o: CrmOpportunity): CrmOpportunity {
    o.modified_at = stamp();
    return structuredClone(o);
  }

  // Salesforce derives the status from the stage; Merge maps it to OPEN/WON/LOST.
  const statusFor = (stageName: string): OpportunityStatus => {
    const n = normalizeStage(stageName);
    if (/(^|_)won($|_)/.test(n)) return 'WON';
    if (/(^|_)lost($|_)/.test(n)) return 'LOST';
    return 'OPEN';
  };

  // An id that points nowhere stays an id, as Merge does for relations it has not synced.
  function related(map: Map<string, unknown>, value: unknown): unknown {
    return typeof value === 'string' && map.has(value) ? structuredClone(map.get(value)) : value;
  }

  /** Replaces the listed relations by full objects; nested relations stay ids, as in Merge's responses. */
  function expand<T extends CrmOpportunity | CrmNote | CrmAccount>(row: T, relations: ReadonlySet<string>): T {
    const out = structuredClone(row) as Record<string, unknown>;
    const maps: Record<Relation, Map<string, unknown>> = { owner: users, account: accounts, stage: stages, opportunity: opportunities };
    for (const rel of relations) {
      if (rel in maps && rel in out) out[rel] = related(maps[rel as Relation], out[rel]);
    }
    return out as T;
  }

  return {
    linkedAccount: data.linkedAccount,
    hook: data.hook,
    users: users as ReadonlyMap<string, CrmUser>,
    accounts: accounts as ReadonlyMap<string, CrmAccount>,
    stages: stages as ReadonlyMap<string, CrmStage>,
    opportunities: opportunities as ReadonlyMap<string, CrmOpportunity>,
    notes: notes as ReadonlyMap<string, CrmNote>,
    expand,

    moveDeal(id: string, stageName: string): CrmOpportunity {
      const o = deal(id);
      const stage = stageNamed(stageName);
      o.stage = stage.id;
      o.status = statusFor(stage.name ?? '');
      return touch(o);
    },
    setAmount(id: string, amount: number | null): CrmOpportunity {
      if (amount !== null && !Number.isFinite(amount)) throw new CrmSimError(400, 'amount must be a finite number or null');
      const o = deal(id);
      o.amount = amount;
      return touch(o);
    },
    /**
     * Which of the two documented behaviours a deleted deal shows is unconfirmed, so both exist: the record
     * flagged `remote_was_deleted` (default), or gone, answering 404 (`removedDeals: '404'`).
     */
    removeDeal(id: string): CrmOpportunity {
      const o = deal(id);
      o.remote_was_deleted = true;
      const last = touch(o);
      if (opts.removedDeals === '404') opportunities.delete(id);
      return last;
    },
    /** A status outside Merge's enum, as some integrations send (PENDING, ON_HOLD…). */
    setStatus(id: string, status: OpportunityStatus | null): CrmOpportunity {
      const o = deal(id);
      o.status = status;
      return touch(o);
    },
    /** An edit that changes nothing we read (a description): Merge still sends Opportunity.changed. */
    touchDeal(id: string): CrmOpportunity {
      const o = deal(id);
      o.description = `${o.description ?? ''} `.slice(0, 500);
      return touch(o);
    },
    /**
     * Puts a record into the account as it is, unchecked: lets a test see what a list page holding a record
     * our schema cannot read does to the reader.
     */
    putRawOpportunity(raw: Record<string, unknown> & { id: string }): void {
      const stampNow = stamp();
      opportunities.set(raw.id, {
        created_at: stampNow,
        modified_at: stampNow,
        remote_was_deleted: false,
        remote_id: null,
        ...raw,
      } as unknown as CrmOpportunity);
    },
    /**
     * A note written through Merge: Merge's own stamps now, the CRM's to the second (as Salesforce keeps
     * them), relations as given. Callers check the relations first.
     */
    addNote(n: Pick<CrmNote, 'owner' | 'content' | 'contact' | 'account' | 'opportunity'>): CrmNote {
      const remoteNow = new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const note = makeNote({ id: randomUUID(), created_at: stamp(), ...n, remote_created_at: remoteNow });
      notes.set(note.id, note);
      return structuredClone(note);
    },
    /** Notes as stored (unexpanded), all or one deal's. */
    listNotes(opportunityId?: string): CrmNote[] {
      return [...notes.values()]
        .filter((n) => opportunityId === undefined || n.opportunity === opportunityId)
        .map((n) => structuredClone(n));
    },
    getDeal(id: string): CrmOpportunity | undefined {
      const o = opportunities.get(id);
      return o ? structuredClone(o) : undefined;
    },
    listDeals(): CrmOpportunity[] {
      return [...opportunities.values()].map((o) => structuredClone(o));
    },
  };
}

export type CrmStore = ReturnType<typeof createCrmStore>;
