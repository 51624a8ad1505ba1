import { hashTag, type RedisClient } from '@dda/redis';
import type { DealSnapshot, TimelineDetails, TimelineEventName } from '@dda/domain';
import { counterField, metricKey } from '@dda/metrics';
import type { Alert, AlertOutcome, AlertStatus, Briefing, NewAlert, TimelineEntry } from './alert-types.ts';
import { newId } from './ids.ts';
import { ALERT_SHARDS, alertShard, dealShard, shardedAlertId } from './alert-shards.ts';
import { namedScript, runNamedScript } from './lua-script.ts';

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

/**
 * The keys an alert is born with: one creation path for triaged and manual alerts. All of them, and the
 * deal's own keys, sit in the deal's shard (alert-shards.ts), so under Redis Cluster a sighting and the
 * alert it creates still land in one script. The alert counter is the one write outside: metrics live
 * under a tag of their own, so it is counted right after the script (a crash in between misses one count).
 */
const ALERT_SLOTS = ['alert', 'index', 'timeline', 'outbox'] as const;
const CREATE_ALERT_LUA = `
local function create_alert()
  redis.call('HSET', K.alert, 'id', A.id, 'doc', A.doc, 'status', 'pending', 'created_at', A.created_at)
  redis.call('ZADD', K.index, 0, A.id)
  redis.call('RPUSH', K.timeline, A.timeline_entry)
  redis.call('ZADD', K.outbox, A.now_ms, A.id)
  redis.call('PUBLISH', A.channel, A.change_message)
end
`;

const CREATE_ALERT = namedScript(
  ALERT_SLOTS,
  `${CREATE_ALERT_LUA}
create_alert()
return A.id
`,
);

/*
 * Compare-and-set of a deal snapshot plus, when triage decided to alert, the alert itself, in one step:
 * racing deliveries of one change see either the old snapshot (and collide on the change key) or the new
 * one (and decide nothing changed). The new alert also joins the dispatch outbox.
 */
const RECORD_SIGHTING = namedScript(
  ['snapshot', 'change_key', 'cooldown', ...ALERT_SLOTS],
  `${CREATE_ALERT_LUA}
local cur = redis.call('GET', K.snapshot)
local version = 0
if cur then version = cjson.decode(cur).version end
if version ~= A.expected_version then return {'conflict'} end
-- Every check comes before the first write: a script that fails half-way keeps its earlier writes.
local verdict = 'create'
local other = nil
if A.doc == '' then
  verdict = 'unchanged'
else
  other = redis.call('GET', K.change_key)
  if other then
    verdict = 'duplicate'
  elseif A.cooldown_seconds > 0 and redis.call('EXISTS', K.cooldown) == 1 then
    verdict = 'cooldown'
    other = redis.call('GET', K.cooldown)
  end
end
redis.call('SET', K.snapshot, A.snapshot)
if verdict ~= 'create' then return {verdict, other} end
redis.call('SET', K.change_key, A.id, 'EX', A.change_ttl_seconds)
if A.cooldown_seconds > 0 then redis.call('SET', K.cooldown, A.id, 'EX', A.cooldown_seconds) end
create_alert()
return {'created', A.id}
`,
);

/** Sets the outcome when there is none yet, or when the one there is replaceable (setOutcome). */
const SET_OUTCOME = namedScript(
  ['alert', 'timeline'],
  `
if redis.call('EXISTS', K.alert) == 0 then return 0 end
local cur = redis.call('HGET', K.alert, 'outcome')
if cur then
  local ok = false
  for _, o in ipairs(A.replaceable) do if o == cur then ok = true end end
  if not ok or cur == A.outcome then return 0 end
end
redis.call('HSET', K.alert, 'outcome', A.outcome, 'status', A.status, 'outcome_reason', A.reason)
redis.call('RPUSH', K.timeline, A.entry)
redis.call('PUBLISH', A.channel, A.change_message)
return 1
`,
);

export function createAlertsRepository(redis: RedisClient, prefix: string) {
  const shard = (s: string) => `${prefix}:${hashTag(`alerts-${s}`)}`;
  const ofDeal = (dealId: string) => shard(dealShard(dealId));
  const ofAlert = (id: string) => shard(alertShard(id));
  const k = {
    snapshot: (dealId: string) => `${ofDeal(dealId)}:deal:${dealId}`,
    changeKey: (dealId: string, change: string) => `${ofDeal(dealId)}:alert-key:${dealId}:${change}`,
    cooldown: (dealId: string) => `${ofDeal(dealId)}:deal:${dealId}:cooldown`,
    alert: (id: string) => `${ofAlert(id)}:alert:${id}`,
    timeline: (id: string) => `${ofAlert(id)}:alert:${id}:timeline`,
    index: (s: string) => `${shard(s)}:index`,
    outbox: (s: string) => `${shard(s)}:undispatched`,
    changes: alertChangesChannel(prefix),
  };
  // Not awaited: triage and the dial need not wait a round trip for a metric. Later commands on this connection
  // still come after it; a failed increment costs one count, like a crash between the script and it.
  const count = (name: 'dda_alerts_created_total' | 'dda_alerts_outcome_total', field: string): void =>
    void redis.hincrby(metricKey(prefix, name), field, 1).catch(() => undefined);
  const changed = (c: AlertChange) => JSON.stringify(c);

  const alertKeys = (id: string): Record<(typeof ALERT_SLOTS)[number], string> => ({
    alert: k.alert(id),
    index: k.index(alertShard(id)),
    timeline: k.timeline(id),
    outbox: k.outbox(alertShard(id)),
  });
  const createdField = (doc: NewAlert | null) => counterField('dda_alerts_created_total', { source: doc?.source ?? 'webhook' });
  /** What create_alert reads; a sighting that decided not to alert passes no doc (an empty string in Lua). */
  const alertArgs = (id: string, doc: NewAlert | null, now: Date) => ({
    id,
    doc: doc ? JSON.stringify(doc) : '',
    created_at: now.toISOString(),
    now_ms: now.getTime(),
    timeline_entry: timelineEntry('alert.created', { reason: doc?.reason, source: doc?.source }, now),
    channel: k.changes,
    change_message: changed({ id, change: 'created', event: 'alert.created' }),
  });

  function timelineEntry<E extends TimelineEventName>(event: E, detail: TimelineDetails[E], at = new Date()): string {
    return JSON.stringify({ at: at.toISOString(), event, ...detail });
  }

  async function getSnapshot(dealId: string): Promise<StoredSnapshot | null> {
    const raw = await redis.get(k.snapshot(dealId));
    return raw ? (JSON.parse(raw) as StoredSnapshot) : null;
  }

  async function readAlert(id: string): Promise<Alert | null> {
    const [[, h], [, tl]] = (await redis.multi().hgetall(k.alert(id)).lrange(k.timeline(id), 0, -1).exec()) as [
      [null, Record<string, string>],
      [null, string[]],
    ];
    if (!h?.['doc']) return null;
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
      const id = shardedAlertId(newId('al', now.getTime()), dealShard(args.dealId));
      const snap = JSON.stringify({ ...args.snapshot, version: args.expectedVersion + 1 });
      const change = args.alert?.changeKey ?? 'none';
      const res = (await runNamedScript(
        redis,
        RECORD_SIGHTING,
        {
          snapshot: k.snapshot(args.dealId),
          change_key: k.changeKey(args.dealId, change),
          cooldown: k.cooldown(args.dealId),
          ...alertKeys(id),
        },
        {
          ...alertArgs(id, args.alert?.doc ?? null, now),
          expected_version: args.expectedVersion,
          snapshot: snap,
          change_ttl_seconds: WEEK,
          cooldown_seconds: Math.round(args.cooldownSeconds ?? 0),
        },
      )) as [string, string?];
      if (res[0] === 'created') {
        count('dda_alerts_created_total', createdField(args.alert?.doc ?? null));
        return { kind: 'created', alertId: res[1]! };
      }
      if (res[0] === 'duplicate') return { kind: 'duplicate', alertId: res[1]! };
      if (res[0] === 'unchanged') return { kind: 'unchanged' };
      if (res[0] === 'cooldown') return { kind: 'cooldown', lastAlertId: res[1]! };
      return { kind: 'conflict' };
    },

    /** A manual alert skips the rules but still goes through the outbox. */
    async createManual(doc: NewAlert, now = new Date()): Promise<string> {
      const id = shardedAlertId(newId('al', now.getTime()), dealShard(doc.deal.id));
      await runNamedScript(redis, CREATE_ALERT, alertKeys(id), alertArgs(id, doc, now));
      count('dda_alerts_created_total', createdField(doc));
      return id;
    },

    /** Alerts created but not yet handed to the dialer and briefing queues (oldest first, across the shards). */
    async undispatched(limit = 100): Promise<string[]> {
      const pages = await Promise.all(ALERT_SHARDS.map((s) => redis.zrange(k.outbox(s), 0, limit - 1, 'WITHSCORES')));
      const all: Array<[id: string, at: number]> = [];
      for (const page of pages) for (let i = 0; i < page.length; i += 2) all.push([page[i]!, Number(page[i + 1])]);
      return all
        .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, limit)
        .map(([id]) => id);
    },
    async markDispatched(id: string): Promise<void> {
      await redis.zrem(k.outbox(alertShard(id)), id);
    },

    get: readAlert,

    /** Stored fields of an alert without its timeline, for pollers that need one status or outcome. */
    async fields<F extends string>(id: string, names: readonly F[]): Promise<Record<F, string | null>> {
      const values = await redis.hmget(k.alert(id), ...names);
      return Object.fromEntries(names.map((n, i) => [n, values[i] ?? null])) as Record<F, string | null>;
    },

    /** How many alerts exist and how many still wait for dispatch (benchmarks, diagnostics). */
    async counts(): Promise<{ alerts: number; undispatched: number }> {
      const [alerts, undispatched] = await Promise.all(
        [k.index, k.outbox].map(async (key) =>
          (await Promise.all(ALERT_SHARDS.map((s) => redis.zcard(key(s))))).reduce((a, b) => a + b, 0),
        ),
      );
      return { alerts: alerts!, undispatched: undispatched! };
    },

    /** Every alert id, oldest first. */
    async ids(): Promise<string[]> {
      return (await Promise.all(ALERT_SHARDS.map((s) => redis.zrange(k.index(s), 0, -1)))).flat().sort();
    },

    async exists(id: string): Promise<boolean> {
      return (await redis.exists(k.alert(id))) === 1;
    },

    /** Newest first; the cursor is the last id of the previous page. Ids order by time whatever their shard. */
    async list(opts: { limit: number; cursor?: string }): Promise<{ alerts: Alert[]; next_cursor: string | null }> {
      const max = opts.cursor ? `(${opts.cursor}` : '+';
      const pages = await Promise.all(
        ALERT_SHARDS.map(
          (s) => redis.call('ZRANGE', k.index(s), max, '-', 'BYLEX', 'REV', 'LIMIT', '0', String(opts.limit + 1)) as Promise<string[]>,
        ),
      );
      const page = pages
        .flat()
        .sort((a, b) => (a < b ? 1 : -1))
        .slice(0, opts.limit + 1);
      const more = page.length > opts.limit;
      const wanted = page.slice(0, opts.limit);
      const alerts = (await Promise.all(wanted.map(readAlert))).filter((a): a is Alert => a !== null);
      return { alerts, next_cursor: more ? (wanted.at(-1) ?? null) : null };
    },

    /** One entry of the catalogued vocabulary (packages/domain/src/timeline-events.ts), typed by its event. */
    async addTimeline<E extends TimelineEventName>(id: string, event: E, detail: TimelineDetails[E]): Promise<void> {
      await redis
        .multi()
        .rpush(k.timeline(id), timelineEntry(event, detail))
        .publish(k.changes, changed({ id, change: 'timeline', event }))
        .exec();
    },

    async setStatus(id: string, status: AlertStatus): Promise<void> {
      await redis
        .multi()
        .hset(k.alert(id), 'status', status)
        .publish(k.changes, changed({ id, change: 'status' }))
        .exec();
    },

    /**
     * The first outcome wins: a late event cannot turn `connected` into `failed`. `snoozed` is the one
     * provisional outcome (a reminder call follows), so the reminder's result replaces it. `revisable` names
     * further outcomes this write may replace: a call back heard an alert whose call was missed.
     */
    async setOutcome(
      id: string,
      outcome: AlertOutcome,
      reason: string | null,
      status: AlertStatus = 'completed',
      revisable: readonly AlertOutcome[] = [],
    ): Promise<boolean> {
      const replaceable = outcome === 'snoozed' ? revisable : ['snoozed', ...revisable];
      const set = (await runNamedScript(
        redis,
        SET_OUTCOME,
        { alert: k.alert(id), timeline: k.timeline(id) },
        {
          outcome,
          replaceable,
          status,
          reason: reason ?? '',
          entry: timelineEntry('alert.outcome', { outcome, ...(reason ? { reason } : {}) }),
          channel: k.changes,
          change_message: changed({ id, change: 'outcome', event: 'alert.outcome' }),
        },
      )) as number;
      if (set === 1) count('dda_alerts_outcome_total', counterField('dda_alerts_outcome_total', { outcome }));
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
