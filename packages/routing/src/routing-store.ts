import { createHash } from 'node:crypto';
import { hashTag, type RedisClient } from '@dda/redis';
import { luaScript, runScript } from '@dda/store';
import { summarizeRoutingChange } from './routing-changes.ts';
import type { RoutingDocument } from './routing-schema.ts';

export type StoredRouting = { version: number; routing: RoutingDocument; saved_at: string };
export type RoutingHistoryEntry = { version: number; saved_at: string; summary: string; source: string };

/*
 * Compare-and-set: the version a writer read must still be current, so two operators saving at once cannot
 * silently drop one another's change (the loser recomputes its summary against the winner and saves after).
 * Current document, the version's copy and its history line are written together.
 */
const SAVE = luaScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur ~= tonumber(ARGV[1]) then return -1 end
local v = cur + 1
local at = ARGV[4]
redis.call('SET', KEYS[1], v)
redis.call('HSET', KEYS[2], v, ARGV[2])
redis.call('LPUSH', KEYS[3], '{"version":' .. v .. ',' .. string.sub(ARGV[3], 2))
if ARGV[5] ~= '' then redis.call('SET', KEYS[4], ARGV[5]) end
return v
`);

/** Versioned routing in Redis: every service reads the current version per alert, so a change needs no restart. */
export function createRoutingStore(redis: RedisClient, prefix: string) {
  // One hash tag: the save script writes all four together, and under Redis Cluster they must share a slot.
  const base = `${prefix}:${hashTag('routing')}`;
  const k = {
    version: `${base}:version`,
    versions: `${base}:versions`,
    history: `${base}:history`,
    fileSha: `${base}:file-sha`,
  };

  async function current(): Promise<StoredRouting | null> {
    const v = await redis.get(k.version);
    if (!v) return null;
    const raw = await redis.hget(k.versions, v);
    return raw ? ({ version: Number(v), ...JSON.parse(raw) } as StoredRouting) : null;
  }

  /**
   * Stores `routing` as the next version. A document equal to the current one is not a change: the answer
   * is the current version and the history gains no line.
   */
  async function save(
    routing: RoutingDocument,
    opts: { source: string; fileSha?: string },
  ): Promise<{ version: number; changed: boolean }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const cur = await current();
      const summary = summarizeRoutingChange(cur?.routing ?? null, routing);
      if (cur && summary === 'no change') {
        if (opts.fileSha) await redis.set(k.fileSha, opts.fileSha);
        return { version: cur.version, changed: false };
      }
      const saved_at = new Date().toISOString();
      const entry = JSON.stringify({ saved_at, summary, source: opts.source });
      const v = Number(
        await runScript(
          redis,
          SAVE,
          [k.version, k.versions, k.history, k.fileSha],
          [String(cur?.version ?? 0), JSON.stringify({ routing, saved_at }), entry, saved_at, opts.fileSha ?? ''],
        ),
      );
      if (v > 0) return { version: v, changed: true };
    }
    throw new Error('routing is being changed by someone else; try again');
  }

  return {
    current,
    save,
    async history(limit = 50): Promise<RoutingHistoryEntry[]> {
      return (await redis.lrange(k.history, 0, limit - 1)).map((x) => JSON.parse(x) as RoutingHistoryEntry);
    },
    async version(n: number): Promise<StoredRouting | null> {
      const raw = await redis.hget(k.versions, String(n));
      return raw ? ({ version: n, ...JSON.parse(raw) } as StoredRouting) : null;
    },
    /**
     * ROUTING_FILE at boot: stored when its content differs from the file last applied, so restarting with
     * the same file keeps a change made since through the API, and editing the file (in git) wins again.
     */
    async applyFile(routing: RoutingDocument, text: string): Promise<{ version: number; changed: boolean; skipped: boolean }> {
      const sha = createHash('sha256').update(text).digest('hex');
      if ((await redis.get(k.fileSha)) === sha) {
        const cur = await current();
        if (cur) return { version: cur.version, changed: false, skipped: true };
      }
      return { ...(await save(routing, { source: 'ROUTING_FILE', fileSha: sha })), skipped: false };
    },
  };
}

export type RoutingStore = ReturnType<typeof createRoutingStore>;
