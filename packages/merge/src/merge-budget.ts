import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '@dda/redis';
import { luaScript, runScript } from '@dda/store';

/** Who is asking, most urgent first: when the budget is short, a waiting triage request goes before notes, and so on. */
export const MERGE_PRIORITIES = ['triage', 'notes', 'poll', 'listing'] as const;
export type MergePriority = (typeof MERGE_PRIORITIES)[number];

/**
 * Share of the limit a priority may use. Triage (an alert being decided) may use all of it; the less urgent
 * paths stop earlier so a burst of them never leaves triage waiting for a whole window.
 */
const CEILING: Record<MergePriority, number> = { triage: 1, notes: 0.6, poll: 0.8, listing: 0.5 };

/*
 * One script call decides a request: a sliding log of grant times (ZSET, scored by Redis's own clock so every
 * replica agrees), a pause set after a 429, a block set after repeated 4xx, and one waiters ZSET per priority
 * (member = request id, score = when the registration lapses, so a waiter that died stops counting). A request
 * is granted only when the log holds fewer than its ceiling in the last window and no more urgent request is
 * waiting. Chosen over a library (e.g. rate-limiter-flexible) because none of them knows priorities across
 * processes, and this whole rule is 30 lines that can be read in one place.
 */
const ACQUIRE = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local p = tonumber(ARGV[3])
local id = ARGV[4]
local ceiling = tonumber(ARGV[5])
for i = 2, 3 do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl > 0 then return {0, ttl, -1} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
for i = 4, 7 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
local used = redis.call('ZCARD', KEYS[1])
local ahead = 0
for i = 4, 3 + p do ahead = ahead + redis.call('ZCARD', KEYS[i]) end
if used < ceiling and ahead == 0 then
  redis.call('ZADD', KEYS[1], now, id)
  redis.call('PEXPIRE', KEYS[1], window)
  redis.call('ZREM', KEYS[4 + p], id)
  return {1, now, limit - used - 1}
end
local wait = 25
if used >= ceiling then
  local oldest = redis.call('ZRANGE', KEYS[1], used - ceiling, used - ceiling, 'WITHSCORES')
  if oldest[2] then wait = math.max(1, tonumber(oldest[2]) + window - now) end
end
-- Registration is refreshed only when close to lapsing: under appendfsync always every write costs an fsync,
-- and a waiter asks several times a second.
local lapses = redis.call('ZSCORE', KEYS[4 + p], id)
if not lapses or tonumber(lapses) < now + 1500 then
  redis.call('ZADD', KEYS[4 + p], now + math.min(wait, 1000) + 2000, id)
  redis.call('PEXPIRE', KEYS[4 + p], window + 5000)
end
return {0, wait, limit - used}
`);

const FAILURE = luaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) return 1 end
return 0
`);

export type BudgetGrant = { at: number; remaining: number; waitedMs: number };

export type MergeBudgetOptions = {
  redis: RedisClient;
  prefix: string;
  /** MERGE_RATE_LIMIT_PER_MINUTE. */
  limitPerMinute: number;
  /** 60 s in production; tests shorten it. */
  windowMs?: number;
  /**
   * Added to the window: a grant is stamped by Redis a moment before Merge counts the request, and jitter on the
   * way could otherwise put two requests one window apart on our clock less than one apart on Merge's.
   */
  guardMs?: number;
  /** A 429 without Retry-After pauses the account this long (Merge does not promise the header). */
  pauseMs?: number;
  /** 4xx answers (not 429) within 10 s that block the account for `blockMs`; Merge blocks an IP at 20. */
  failureThreshold?: number;
  blockMs?: number;
  onGrant?: (priority: MergePriority, grant: BudgetGrant) => void;
  onThrottled?: () => void;
  onBlocked?: (account: string) => void;
};

export class MergeBudgetTimeout extends Error {
  override name = 'MergeBudgetTimeout';
}

/** The shared Merge request budget of each linked account (one Redis, every replica, every call path). */
export function createMergeBudget(o: MergeBudgetOptions) {
  const windowMs = o.windowMs ?? 60_000;
  const guardedWindow = windowMs + (o.guardMs ?? Math.ceil(windowMs / 50));
  const keys = (account: string) => {
    const k = `${o.prefix}:merge-budget:{${account}}`;
    return {
      log: `${k}:log`,
      pause: `${k}:pause`,
      block: `${k}:block`,
      fails: `${k}:fails`,
      waiting: MERGE_PRIORITIES.map((p) => `${k}:waiting:${p}`),
    };
  };

  return {
    limitPerMinute: o.limitPerMinute,
    windowMs,
    /** Waits until this account's budget lets one request of this priority through; `maxWaitMs` bounds the wait. */
    async acquire(account: string, priority: MergePriority, opts: { maxWaitMs?: number; signal?: AbortSignal } = {}): Promise<BudgetGrant> {
      const k = keys(account);
      const id = randomUUID();
      const started = Date.now();
      const ceiling = Math.max(1, Math.floor(o.limitPerMinute * CEILING[priority]));
      for (;;) {
        const [ok, a, remaining] = (await runScript(
          o.redis,
          ACQUIRE,
          [k.log, k.pause, k.block, ...k.waiting],
          [String(o.limitPerMinute), String(guardedWindow), String(MERGE_PRIORITIES.indexOf(priority)), id, String(ceiling)],
        )) as [number, number, number];
        if (ok === 1) {
          const grant = { at: a, remaining, waitedMs: Date.now() - started };
          o.onGrant?.(priority, grant);
          return grant;
        }
        const left = (opts.maxWaitMs ?? Infinity) - (Date.now() - started);
        // No slot frees before the caller's deadline: say so now instead of asking again and again.
        if (left <= 0 || a > left) {
          await o.redis.zrem(k.waiting[MERGE_PRIORITIES.indexOf(priority)]!, id).catch(() => 0);
          throw new MergeBudgetTimeout(`Merge budget of ${account}: no ${priority} slot within ${opts.maxWaitMs} ms`);
        }
        // Short naps: a slot freed by the window is taken by whoever asks next, and the most urgent asks often.
        await sleep(Math.min(a, left, 250) + Math.random() * 20, undefined, opts.signal ? { signal: opts.signal } : undefined);
      }
    },
    /** Merge answered 429: nobody asks for this account until the pause ends. */
    async pause(account: string, ms: number | undefined): Promise<void> {
      o.onThrottled?.();
      await o.redis.set(keys(account).pause, '1', 'PX', Math.max(1, Math.round(ms ?? o.pauseMs ?? 20_000)));
    },
    /** A 4xx other than 429: many in a short time stop all calls to the account for a while. */
    async failure(account: string): Promise<void> {
      const k = keys(account);
      const blocked = await runScript(
        o.redis,
        FAILURE,
        [k.fails, k.block],
        ['10000', String(o.failureThreshold ?? 10), String(o.blockMs ?? 60_000)],
      );
      if (blocked === 1) o.onBlocked?.(account);
    },
    /** Requests granted to the account in the current window (diagnostics, tests). */
    async used(account: string): Promise<number> {
      const k = keys(account);
      const [sec, micro] = (await o.redis.time()) as [string | number, string | number];
      const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
      return o.redis.zcount(k.log, `(${now - guardedWindow}`, '+inf');
    },
  };
}

export type MergeBudget = ReturnType<typeof createMergeBudget>;
