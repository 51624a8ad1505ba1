import { randomBytes, createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { CallRecord } from './call-record.ts';

const DAY = 24 * 3600;

const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class CallBusyError extends Error {
  override name = 'CallBusyError';
}

export function createCallsRepository(redis: Redis, prefix: string) {
  const k = {
    call: (id: string) => `${prefix}:call:${id}`,
    events: (id: string) => `${prefix}:call:${id}:events`,
    lock: (id: string) => `${prefix}:call:${id}:lock`,
    ccid: (ccid: string) => `${prefix}:ccid:${createHash('sha256').update(ccid).digest('hex').slice(0, 32)}`,
    line: (number: string) => `${prefix}:line:${lineId(number)}`,
    waiting: (number: string) => `${prefix}:line:${lineId(number)}:waiting`,
  };

  return {
    async get(id: string): Promise<CallRecord | null> {
      const raw = await redis.get(k.call(id));
      return raw ? (JSON.parse(raw) as CallRecord) : null;
    },

    /** Saves the record and, in the same step, remembers the event that produced it. */
    async save(record: CallRecord, appliedEventId?: string): Promise<void> {
      record.version += 1;
      const m = redis.multi().set(k.call(record.id), JSON.stringify(record), 'EX', 7 * DAY);
      if (appliedEventId) m.sadd(k.events(record.id), appliedEventId).expire(k.events(record.id), 7 * DAY);
      for (const ccid of [record.ccid.vp, record.ccid.ae]) if (ccid) m.set(k.ccid(ccid), record.id, 'EX', 2 * DAY);
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
    async withLock<T>(callId: string, fn: () => Promise<T>, waitMs = 15_000, ttlMs = 30_000): Promise<T> {
      const token = randomBytes(8).toString('hex');
      const deadline = Date.now() + waitMs;
      while ((await redis.set(k.lock(callId), token, 'PX', ttlMs, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new CallBusyError(`call ${callId} is busy`);
        await sleep(5 + Math.random() * 20);
      }
      try {
        return await fn();
      } finally {
        await redis.eval(RELEASE_IF_OWNER, 1, k.lock(callId), token);
      }
    },

    /** The callee's line: one live alert call per person. */
    async acquireLine(number: string, callId: string, ttlSeconds = 3600): Promise<boolean> {
      if ((await redis.set(k.line(number), callId, 'EX', ttlSeconds, 'NX')) === 'OK') return true;
      return (await redis.get(k.line(number))) === callId;
    },
    async releaseLine(number: string, callId: string): Promise<void> {
      await redis.eval(RELEASE_IF_OWNER, 1, k.line(number), callId);
    },
    async addWaiting(number: string, member: string, at = Date.now()): Promise<void> {
      await redis.zadd(k.waiting(number), 'NX', at, member);
    },
    async popWaiting(number: string): Promise<string | null> {
      const res = await redis.zpopmin(k.waiting(number), 1);
      return res[0] ?? null;
    },
    async countWaiting(number: string): Promise<number> {
      return redis.zcard(k.waiting(number));
    },
  };
}

/** Keys name a line by a hash, so no phone number is ever part of a Redis key or a log of one. */
function lineId(number: string): string {
  return createHash('sha256').update(number).digest('hex').slice(0, 16);
}

export type CallsRepository = ReturnType<typeof createCallsRepository>;
