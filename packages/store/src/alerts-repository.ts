import type { Redis } from 'ioredis';
import type { DealSnapshot, TimelineDetails, TimelineEventName } from '@dda/domain';
import { addIncrement, counterField, metricKey } from '@dda/metrics';
import type { Alert, AlertOutcome, AlertStatus, Briefing, NewAlert, TimelineEntry } from './alert-types.ts';
import { newId } from './ids.ts';
import { luaScript, runScript } from './lua-script.ts';

const WEEK = 7 * 24 * 3600;

/**
 * Every write below also PUBLISHes `{id, change, event?}` here, inside the same transaction, so a reader
 * (the ingress's /events stream) learns of a change only once it is visible. Nobody listening costs nothing.
 */
export function alertChangesChannel(prefix: string): string {
  return `${prefix}:alerts:changes`;
}
export type AlertChange = { id: string; change: 'created' | 'timeline' | 'status' | 'outcome' | 'briefing'; event?: string };

export type StoredSnapshot = DealSnapshot & { version: number; modifiedAt: string | null; seenAt: string };

export type RecordOutcome =
  | { kind: 'created'; alertId: string }
  | { kind: 'duplicate'; alertId: string }
  | { kind: 'unchanged' }
  | { kind: 'cooldown'; lastAlertId: string }
  | { kind: 'conflict' };

/*
 * Compare-and-set of a deal snapshot plus, when triage decided to alert, the alert itself, in one step:
 * racing deliveries of one change see either the old snapshot (and collide on the change key) or the new
 * one (and decide nothing changed). The new alert also joins the dispatch outbox.
 */
const RECORD_SIGHTING = luaScript(`
local cur = redis.call('GET', KEYS[1])
local version = 0
if cur then version = cjson.decode(cur).version end
if version ~= tonumber(ARGV[1]) then return {'conflict'} end
-- Every check comes before the first write: a script that fails half-way keeps its earlier writes.
local cooldown = tonumber(ARGV[12] or '0') or 0
local verdict = 'create'
local other = nil
if ARGV[3] == '' then
  verdict = 'unchanged'
else
  other = redis.call('GET', KEYS[2])
  if other then
    verdict = 'duplicate'
  elseif cooldown > 0 and redis.call('EXISTS', KEYS[8]) == 1 then
    verdict = 'cooldown'
    other = redis.call('GET', KEYS[8])
  end
end
redis.call('SET', KEYS[1], ARGV[2])
if verdict ~= 'create' then return {verdict, other} end
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
if cooldown > 0 then redis.call('SET', KEYS[8], ARGV[4], 'EX', cooldown) end
redis.call('HSET', KEYS[3], 'id', ARGV[4], 'doc', ARGV[3], 'status', 'pending', 'created_at', ARGV[6])
redis.call('ZADD', KEYS[4], 0, ARGV[4])
redis.call('RPUSH', KEYS[5], ARGV[7])
redis.call('ZADD', KEYS[6], ARGV[8], ARGV[4])
redis.call('HINCRBY', KEYS[7], ARGV[11], 1)
redis.call('PUBLISH', ARGV[9], ARGV[10])
return {'created', ARGV[4]}
`);

export function createAlertsRepository(redis: Redis, prefix: string) {
  const k = {
    snapshot: (dealId: string) => `${prefix}:deal:${dealId}`,
    changeKey: (dealId: string, change: string) => `${prefix}:alert-key:${dealId}:${change}`,
    alert: (id: string) => `${prefix}:alert:${id}`,
    timeline: (id: string) => `${prefix}:alert:${id}:timeline`,
    index: `${prefix}:alerts:index`,
    outbox: `${prefix}:alerts:undispatched`,
    cooldown: (dealId: string) => `${prefix}:deal:${dealId}:cooldown`,
    changes: alertChangesChannel(prefix),
  };
  const changed = (c: AlertChange) => JSON.stringify(c);

  function timelineEntry<E extends TimelineEventName>(event: E, detail: TimelineDetails[E], at = new Date()): string {
    return JSON.stringify({ at: at.toISOString(), event, ...detail });
  }

  async function getSnapshot(dealId: string): Promise<StoredSnapshot | null> {
    const raw = await redis.get(k.snapshot(dealId));
    return raw ? (JSON.parse(raw) as StoredSnapshot) : null;
  }

  async function readAlert(id: string): Promise<Alert | null> {
    const [[, h], [, tl]] = (await redis
      .multi()
      .hgetall(k.alert(id))
      .lrange(k.timeline(id), 0, -1)
      .exec()) as [[null, Record<string, string>], [null, string[]]];
    if (!h || !h['doc']) return null;
    const doc = JSON.parse(h['doc']) as NewAlert;
    return {
      id,
      created_at: h['created_at'] ?? '',
      ...doc,
      status: (h['status'] as AlertStatus) ?? 'pending',
      outcome: (h['outcome'] as AlertOutcome | undefined) ?? null,
      outcome_reason: h['outcome_reason'] || null,
      talk_seconds: h['talk_seconds'] ? Number(h['talk_seconds']) : null,
      briefing: h['briefing'] ? (JSON.parse(h['briefing']) as Briefing) : null,
      timeline: tl.map((t) => JSON.parse(t) as TimelineEntry),
    };
  }

  return {
    getSnapshot,

    /** Records one sighting of a deal; creates the alert when `alert` is given. */
    async recordSighting(args: {
      dealId: string;
      expectedVersion: number;
      snapshot: Omit<StoredSnapshot, 'version'>;
      alert?: { doc: NewAlert; changeKey: string };
      /** A deal that alerted within this many seconds does not alert again (flapping stages). */
      cooldownSeconds?: number;
      now?: Date;
    }): Promise<RecordOutcome> {
      const now = args.now ?? new Date();
      const id = newId('al', now.getTime());
      const snap = JSON.stringify({ ...args.snapshot, version: args.expectedVersion + 1 });
      const change = args.alert?.changeKey ?? 'none';
      const res = (await runScript(
        redis,
        RECORD_SIGHTING,
        [
          k.snapshot(args.dealId),
          k.changeKey(args.dealId, change),
          k.alert(id),
          k.index,
          k.timeline(id),
          k.outbox,
          metricKey(prefix, 'dda_alerts_created_total'),
          k.cooldown(args.dealId),
        ],
        [
          String(args.expectedVersion),
          snap,
          args.alert ? JSON.stringify(args.alert.doc) : '',
          id,
          String(WEEK),
          now.toISOString(),
          timelineEntry('alert.created', { reason: args.alert?.doc.reason, source: args.alert?.doc.source }, now),
          String(now.getTime()),
          k.changes,
          changed({ id, change: 'created', event: 'alert.created' }),
          counterField('dda_alerts_created_total', { source: args.alert?.doc.source ?? 'webhook' }),
          String(Math.round(args.cooldownSeconds ?? 0)),
        ],
      )) as [string, string?];
      if (res[0] === 'created') return { kind: 'created', alertId: res[1]! };
      if (res[0] === 'duplicate') return { kind: 'duplicate', alertId: res[1]! };
      if (res[0] === 'unchanged') return { kind: 'unchanged' };
      if (res[0] === 'cooldown') return { kind: 'cooldown', lastAlertId: res[1]! };
      return { kind: 'conflict' };
    },

    /** A manual alert skips the rules but still goes through the outbox. */
    async createManual(doc: NewAlert, now = new Date()): Promise<string> {
      const id = newId('al', now.getTime());
      const multi = redis
        .multi()
        .hset(k.alert(id), 'id', id, 'doc', JSON.stringify(doc), 'status', 'pending', 'created_at', now.toISOString())
        .zadd(k.index, 0, id)
        .rpush(k.timeline(id), timelineEntry('alert.created', { reason: doc.reason, source: doc.source }, now))
        .zadd(k.outbox, now.getTime(), id)
        .publish(k.changes, changed({ id, change: 'created', event: 'alert.created' }));
      await addIncrement(multi, prefix, 'dda_alerts_created_total', { source: doc.source }).exec();
      return id;
    },

    /** Alerts created but not yet handed to the dialer and briefing queues (oldest first). */
    async undispatched(limit = 100): Promise<string[]> {
      return redis.zrange(k.outbox, 0, limit - 1);
    },
    async markDispatched(id: string): Promise<void> {
      await redis.zrem(k.outbox, id);
    },

    get: readAlert,

    async exists(id: string): Promise<boolean> {
      return (await redis.exists(k.alert(id))) === 1;
    },

    /** Newest first; the cursor is the last id of the previous page. */
    async list(opts: { limit: number; cursor?: string }): Promise<{ alerts: Alert[]; next_cursor: string | null }> {
      const max = opts.cursor ? `(${opts.cursor}` : '+';
      const page = (await redis.call('ZRANGE', k.index, max, '-', 'BYLEX', 'REV', 'LIMIT', '0', String(opts.limit + 1))) as string[];
      const more = page.length > opts.limit;
      const wanted = page.slice(0, opts.limit);
      const alerts = (await Promise.all(wanted.map(readAlert))).filter((a): a is Alert => a !== null);
      return { alerts, next_cursor: more ? (wanted.at(-1) ?? null) : null };
    },

    /** One entry of the catalogued vocabulary (packages/domain/src/timeline-events.ts), typed by its event. */
    async addTimeline<E extends TimelineEventName>(id: string, event: E, detail: TimelineDetails[E]): Promise<void> {
      await redis.multi().rpush(k.timeline(id), timelineEntry(event, detail)).publish(k.changes, changed({ id, change: 'timeline', event })).exec();
    },

    async setStatus(id: string, status: AlertStatus): Promise<void> {
      await redis.multi().hset(k.alert(id), 'status', status).publish(k.changes, changed({ id, change: 'status' })).exec();
    },

    /** The first outcome wins: a late event cannot turn `connected` into `failed`. */
    async setOutcome(id: string, outcome: AlertOutcome, reason: string | null, status: AlertStatus = 'completed'): Promise<boolean> {
      const set = await redis.hsetnx(k.alert(id), 'outcome', outcome);
      if (set === 1) {
        const multi = redis
          .multi()
          .hset(k.alert(id), 'status', status, 'outcome_reason', reason ?? '')
          .rpush(k.timeline(id), timelineEntry('alert.outcome', { outcome, ...(reason ? { reason } : {}) }))
          .publish(k.changes, changed({ id, change: 'outcome', event: 'alert.outcome' }));
        await addIncrement(multi, prefix, 'dda_alerts_outcome_total', { outcome }).exec();
      }
      return set === 1;
    },

    /** A connected call ended: how long they talked, and the alert is complete. */
    async setTalkTime(id: string, seconds: number): Promise<void> {
      await redis
        .multi()
        .hset(k.alert(id), 'talk_seconds', String(seconds), 'status', 'completed')
        .rpush(k.timeline(id), timelineEntry('talk.ended', { talk_seconds: seconds }))
        .publish(k.changes, changed({ id, change: 'status', event: 'talk.ended' }))
        .exec();
    },

    /** The briefing and its `briefing.written` timeline entry land together: no reader sees one without the other. */
    async setBriefing(id: string, briefing: Briefing, detail: TimelineDetails['briefing.written']): Promise<void> {
      await redis
        .multi()
        .hset(k.alert(id), 'briefing', JSON.stringify(briefing))
        .rpush(k.timeline(id), timelineEntry('briefing.written', detail))
        .publish(k.changes, changed({ id, change: 'briefing', event: 'briefing.written' }))
        .exec();
    },
  };
}

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;
