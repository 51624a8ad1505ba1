import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '@dda/redis';
import { relationIds, type Opportunity, type RelationNames } from './merge-models.ts';
import { MergeApiError, type MergeClient, type RecordKind } from './merge-client.ts';

export type DirectoryOptions = {
  redis: RedisClient;
  prefix: string;
  merge: MergeClient;
  /** MERGE_CACHE_SECONDS: a listing older than this is taken again on the next lookup. */
  cacheSeconds: number;
  log?: { warn: (o: object, m: string) => void; info: (o: object, m: string) => void };
};

type Entry = { name: string | null; email?: string | null };

/** A miss this soon after a full listing is fetched by id instead of listing everything again. */
const RELIST_AFTER_MS = 30_000;
const LOCK_MS = 5_000;

/**
 * Names for the ids in webhook data: users, accounts and stages of one linked account, listed once into Redis
 * (shared by every replica) and listed again when the cache is older than MERGE_CACHE_SECONDS. An id the
 * listing did not have (a record created since) is fetched on its own.
 */
export function createMergeDirectory(o: DirectoryOptions) {
  const base = `${o.prefix}:merge-cache:{${o.merge.account}}`;
  const key = (kind: RecordKind) => ({
    map: `${base}:${kind}`,
    fresh: `${base}:${kind}:fresh`,
    listedAt: `${base}:${kind}:listed-at`,
    lock: `${base}:${kind}:lock`,
  });
  const inFlight = new Map<RecordKind, Promise<void>>();

  const toEntry = (kind: RecordKind, r: { name?: string | null | undefined; email?: string | null | undefined }): Entry =>
    kind === 'users' ? { name: r.name ?? null, email: r.email ?? null } : { name: r.name ?? null };

  async function list(kind: RecordKind): Promise<void> {
    const k = key(kind);
    // One replica lists; the others wait for it and read what it wrote.
    if ((await o.redis.set(k.lock, '1', 'PX', LOCK_MS, 'NX')) !== 'OK') {
      for (let i = 0; i < 1200 && (await o.redis.exists(k.lock)); i++) await sleep(50);
      return;
    }
    // Short-lived and renewed while listing (pages may wait for the budget): a lister killed mid-way holds
    // the others up for LOCK_MS at most.
    const renew = setInterval(() => void o.redis.pexpire(k.lock, LOCK_MS).catch(() => 0), LOCK_MS / 3);
    try {
      const all =
        kind === 'users'
          ? await o.merge.listUsers({ priority: 'triage' })
          : kind === 'accounts'
            ? await o.merge.listAccounts({ priority: 'triage' })
            : await o.merge.listStages({ priority: 'triage' });
      const fields = all.results.flatMap((r) => [r.id, JSON.stringify(toEntry(kind, r))]);
      const multi = o.redis.multi().del(k.map);
      if (fields.length) multi.hset(k.map, ...fields);
      await multi.set(k.fresh, '1', 'EX', Math.max(1, o.cacheSeconds)).set(k.listedAt, String(Date.now())).exec();
      o.log?.info({ kind, records: all.results.length, skipped: all.skipped.length }, 'merge directory listed');
    } finally {
      clearInterval(renew);
      await o.redis.del(k.lock);
    }
  }

  function relist(kind: RecordKind): Promise<void> {
    let p = inFlight.get(kind);
    if (!p) {
      p = list(kind).finally(() => inFlight.delete(kind));
      inFlight.set(kind, p);
    }
    return p;
  }

  async function lookup(kind: RecordKind, id: string): Promise<Entry | null> {
    const k = key(kind);
    const [[, fresh], [, hit]] = (await o.redis.multi().exists(k.fresh).hget(k.map, id).exec()) as [[null, number], [null, string | null]];
    if (fresh && hit) return JSON.parse(hit) as Entry;
    const listedAt = Number(await o.redis.get(k.listedAt)) || 0;
    if (!fresh || Date.now() - listedAt > RELIST_AFTER_MS) {
      await relist(kind);
      const again = await o.redis.hget(k.map, id);
      if (again) return JSON.parse(again) as Entry;
    }
    try {
      const one = toEntry(kind, await o.merge.getRecord(kind, id));
      await o.redis.hset(k.map, id, JSON.stringify(one));
      return one;
    } catch (err) {
      // A relation Merge cannot give us leaves that name empty; the alert still goes out.
      if (!(err instanceof MergeApiError)) throw err;
      o.log?.warn({ kind, id, status: err.status }, 'merge record not found for a relation; name left empty');
      return null;
    }
  }

  return {
    /** Names for an opportunity's relations that arrived as ids (expanded ones are left to toDealView). */
    async namesFor(opp: Opportunity): Promise<RelationNames> {
      const ids = relationIds(opp);
      const wanted = (
        [
          ['users', opp.owner, ids.owner],
          ['accounts', opp.account, ids.account],
          ['stages', opp.stage, ids.stage],
        ] as const
      ).filter((w): w is readonly [RecordKind, string, string] => typeof w[1] === 'string' && w[2] !== null);
      // Warm caches answer in one round trip for all three; only a miss takes the slow path.
      const multi = o.redis.multi();
      for (const [kind, , id] of wanted) multi.exists(key(kind).fresh).hget(key(kind).map, id);
      const replies = ((await multi.exec()) ?? []).map(([, v]) => v);
      const found = new Map<RecordKind, Entry | null>();
      await Promise.all(
        wanted.map(async ([kind, , id], i) => {
          const fresh = replies[2 * i] === 1;
          const hit = replies[2 * i + 1] as string | null;
          found.set(kind, fresh && hit ? (JSON.parse(hit) as Entry) : await lookup(kind, id));
        }),
      );
      const owner = found.get('users') ?? null;
      const account = found.get('accounts') ?? null;
      const stage = found.get('stages') ?? null;
      return {
        ...(owner ? { owner: { name: owner.name, email: owner.email ?? null } } : {}),
        ...(account ? { account: account.name } : {}),
        ...(stage ? { stage: stage.name } : {}),
      };
    },
    /** Lists everything now (worker start), so the first webhook after a restart finds warm caches. */
    async warm(): Promise<void> {
      for (const kind of ['stages', 'users', 'accounts'] as const) {
        if (!(await o.redis.exists(key(kind).fresh))) await relist(kind);
      }
    },
  };
}

export type MergeDirectory = ReturnType<typeof createMergeDirectory>;
