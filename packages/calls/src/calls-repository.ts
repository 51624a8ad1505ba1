import { randomBytes, createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashTag, type RedisClient } from '@dda/redis';
import { luaScript, runScript } from '@dda/store';
import type { CallRecord } from './call-record.ts';

const DAY = 24 * 3600;

const RELEASE_IF_OWNER = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`);
const EXTEND_IF_OWNER = luaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`,
);

/* The line and its waiting list change together, so no alert can join the list just after the line freed. */
const ACQUIRE_OR_WAIT = luaScript(`
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
for i = 4, #ARGV do redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[i]) end
return 0
`);
const RELEASE_AND_TAKE_WAITING = luaScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('DEL', KEYS[1]) elseif cur then return {} end
local popped = redis.call('ZPOPMIN', KEYS[2], ARGV[2])
local out = {}
for i = 1, #popped, 2 do out[#out + 1] = popped[i] end
return out
`);

export class CallBusyError extends Error {
  override name = 'CallBusyError';
}

export function createCallsRepository(redis: RedisClient, prefix: string, opts: { lockMs?: number } = {}) {
  const lockMs = opts.lockMs ?? 10_000;
  // A call's keys share its id as a hash tag, a line's keys the line's: under Redis Cluster each MULTI and
  // script below stays in one slot. A call control id's pointer is a key of its own, written on its own.
  const k = {
    call: (id: string) => `${prefix}:call:${hashTag(id)}`,
    events: (id: string) => `${prefix}:call:${hashTag(id)}:events`,
    lock: (id: string) => `${prefix}:call:${hashTag(id)}:lock`,
    ccid: (ccid: string) => `${prefix}:ccid:${createHash('sha256').update(ccid).digest('hex').slice(0, 32)}`,
    line: (number: string) => `${prefix}:line:${hashTag(lineId(number))}`,
    waiting: (number: string) => `${prefix}:line:${hashTag(lineId(number))}:waiting`,
  };

  return {
    async get(id: string): Promise<CallRecord | null> {
      const raw = await redis.get(k.call(id));
      return raw ? (JSON.parse(raw) as CallRecord) : null;
    },

    /**
     * Saves the record and, in the same step, remembers the event that produced it. The pointers from its
     * legs' call control ids go first: a pointer to a record not yet saved is harmless (its events find the
     * call and wait for the lock), a saved record whose leg nobody can find is not.
     */
    async save(record: CallRecord, appliedEventId?: string): Promise<void> {
      record.version += 1;
      await Promise.all(
        [record.ccid.vp, record.ccid.ae].filter((c): c is string => Boolean(c)).map((c) => redis.set(k.ccid(c), record.id, 'EX', 2 * DAY)),
      );
      const m = redis.multi().set(k.call(record.id), JSON.stringify(record), 'EX', 7 * DAY);
      if (appliedEventId) m.sadd(k.events(record.id), appliedEventId).expire(k.events(record.id), 7 * DAY);
      await m.exec();
    },

    async eventApplied(callId: string, eventId: string): Promise<boolean> {
      return (await redis.sismember(k.events(callId), eventId)) === 1;
    },

    async callIdByControlId(ccid: string): Promise<string | null> {
      return redis.get(k.ccid(ccid));
    },

    /**
     * One writer per call at a time, across every replica: events of a call are applied in sequence and
     * its commands leave in the order they were decided. A dead holder's lock expires.
     */
    async withLock<T>(callId: string, fn: () => Promise<T>, waitMs = 15_000): Promise<T> {
      const token = randomBytes(8).toString('hex');
      const deadline = Date.now() + waitMs;
      while ((await redis.set(k.lock(callId), token, 'PX', lockMs, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new CallBusyError(`call ${callId} is busy`);
        await sleep(5 + Math.random() * 20);
      }
      // Kept alive while the holder works (slow Telnyx answers); a killed holder's lock lapses within lockMs.
      const renew = setInterval(
        () => void runScript(redis, EXTEND_IF_OWNER, [k.lock(callId)], [token, String(lockMs)]).catch(() => undefined),
        Math.max(200, lockMs / 3),
      );
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await runScript(redis, RELEASE_IF_OWNER, [k.lock(callId)], [token]);
      }
    },

    /**
     * The callee's line: one live alert call per person. Takes the line for `callId`, or, when another call
     * holds it, puts the alerts of this call on the line's waiting list.
     */
    async acquireLineOrWait(number: string, callId: string, waitingAlertIds: string[], ttlSeconds = 3600): Promise<boolean> {
      const res = await runScript(
        redis,
        ACQUIRE_OR_WAIT,
        [k.line(number), k.waiting(number)],
        [callId, String(ttlSeconds), String(Date.now()), ...waitingAlertIds],
      );
      return res === 1;
    },
    /** Frees the line (if this call holds it) and hands back every alert that waited for it, oldest first. */
    async releaseLineAndTakeWaiting(number: string, callId: string, max = 5000): Promise<string[]> {
      return (await runScript(redis, RELEASE_AND_TAKE_WAITING, [k.line(number), k.waiting(number)], [callId, String(max)])) as string[];
    },
    async countWaiting(number: string): Promise<number> {
      return redis.zcard(k.waiting(number));
    },
    /** The call that holds the line, if any. */
    async lineHolder(number: string): Promise<string | null> {
      return redis.get(k.line(number));
    },
  };
}

/** Keys name a line by a hash, so no phone number is ever part of a Redis key or a log of one. */
function lineId(number: string): string {
  return createHash('sha256').update(number).digest('hex').slice(0, 16);
}

export type CallsRepository = ReturnType<typeof createCallsRepository>;
