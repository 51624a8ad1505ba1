import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '@dda/redis';
import { luaScript, runScript } from '@dda/store';
import { queueCatalog, type JobData, type JobInput } from './queue-catalog.ts';
import { dedupeSeconds, type EnqueueResult, type Queues } from './queue-client.ts';
import { queuePrefix } from './queue-keys.ts';

/*
 * The intake of CRM changes. A BullMQ add is about ten Redis commands (≈95 µs of Redis time and ≈70 µs of
 * Node per job, measured), and a bulk CRM update or a re-sync delivers thousands of changes a second. So the
 * ingress answers 202 once a script call has set the dedupe marker and appended the change to a Redis
 * stream (the inbox), both or neither, on disk under appendfsync always like any job; the changes that
 * arrive in one event-loop turn share that call (createCrmIntake). A relay in the briefing-worker moves
 * inbox entries into the crm-events queue as the triage workers make room, in bulk: a burst of 100,000
 * changes is 100,000 small stream entries, not 100,000 jobs in BullMQ's lists, and triage, retries, Bull
 * Board and the metrics downstream stay BullMQ's.
 */

// KEYS[1] the inbox stream, KEYS[2..] one dedupe marker per change; ARGV[1] the marker's lifetime, then a job id
// and a payload per change. Answers 1 (queued) or 0 (duplicate) per change, in order: a job id that appears
// twice in one call is queued once, like two calls in a row.
const ACCEPT = luaScript(`
local out = {}
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'EX', ARGV[1], 'NX') then
    redis.call('XADD', KEYS[1], '*', 'job', ARGV[2 * i - 2], 'data', ARGV[2 * i - 1])
    out[i - 1] = 1
  else
    out[i - 1] = 0
  end
end
return out
`);

const GROUP = 'relay';

export function inboxKeys(prefix: string) {
  // Under the crm-events queue's tag: the markers and the stream change in one script.
  const queue = `${queuePrefix(prefix, 'crm-events')}:crm-events`;
  return {
    stream: `${queue}:inbox`,
    /** Same key the generic enqueue uses, so markers set before the inbox existed still count. */
    seen: (jobId: string) => `${queue}:seen:${jobId}`,
  };
}

type CheckedChange = { jobId: string; payload: JobData<'crm-events'> };

async function writeChanges(redis: RedisClient, prefix: string, changes: readonly CheckedChange[]): Promise<EnqueueResult[]> {
  const k = inboxKeys(prefix);
  const keys = [k.stream];
  const args = [String(dedupeSeconds('crm-events'))];
  for (const c of changes) {
    keys.push(k.seen(c.jobId));
    args.push(c.jobId, JSON.stringify(c.payload));
  }
  const added = (await runScript(redis, ACCEPT, keys, args)) as number[];
  return changes.map((c, i) => ({ jobId: c.jobId, duplicate: added[i] !== 1 }));
}

/** A CRM change accepted for triage: queued once per job id within the dedupe window, a repeat is `duplicate`. */
export async function acceptCrmEvent(
  redis: RedisClient,
  prefix: string,
  data: JobInput<'crm-events'>,
  jobId: string,
): Promise<EnqueueResult> {
  const payload = queueCatalog['crm-events'].schema.parse(data);
  return (await writeChanges(redis, prefix, [{ jobId, payload }]))[0]!;
}

/**
 * Group commit for the ingress: the changes that arrive in one turn of the event loop go to Redis as one
 * script call, each caller still answered on its own. A script call per webhook cost the ingress a
 * command's encoding, promise and reply parsing each time, and Redis its per-call overhead: with 32
 * callers, 18–38 µs of Node CPU and 12–19 µs of Redis time per change, against 9–13 and 9–12 grouped
 * (2026-12-02). Under a burst, one turn brings as many deliveries as there are busy connections. A change
 * is answered only when its batch is written, so "accepted" keeps meaning "in Redis". A batch is capped at
 * `maxBatch` changes: Redis runs the script alone, and a few hundred keep that under a couple of
 * milliseconds.
 */
export function createCrmIntake(o: { redis: RedisClient; prefix: string; maxBatch?: number }) {
  const maxBatch = o.maxBatch ?? 200;
  type Waiting = CheckedChange & { resolve: (r: EnqueueResult) => void; reject: (e: unknown) => void };
  let pending: Waiting[] = [];

  const write = (batch: Waiting[]) => {
    writeChanges(o.redis, o.prefix, batch).then(
      (results) => {
        for (const [i, w] of batch.entries()) w.resolve(results[i]!);
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
      },
    );
  };
  const flush = () => {
    const all = pending;
    pending = [];
    for (let i = 0; i < all.length; i += maxBatch) write(all.slice(i, i + maxBatch));
  };

  return {
    async accept(data: JobInput<'crm-events'>, jobId: string): Promise<EnqueueResult> {
      // Checked here, not in the batch: one bad payload must not refuse the changes that share its turn.
      const payload = queueCatalog['crm-events'].schema.parse(data);
      return new Promise<EnqueueResult>((resolve, reject) => {
        if (!pending.length) setImmediate(flush);
        pending.push({ jobId, payload, resolve, reject });
      });
    },
  };
}

export type InboxEntry = { entryId: string; jobId: string; data: unknown };

/** Changes accepted but not yet moved into the crm-events queue, oldest first (tests, diagnostics). */
export async function readInbox(redis: RedisClient, prefix: string, count = 1000): Promise<InboxEntry[]> {
  return toEntries(await redis.xrange(inboxKeys(prefix).stream, '-', '+', 'COUNT', count));
}

export async function inboxLength(redis: RedisClient, prefix: string): Promise<number> {
  return redis.xlen(inboxKeys(prefix).stream);
}

type RelayLog = { warn: (o: object, m: string) => void; error: (o: object, m: string) => void; info: (o: object, m: string) => void };

export type InboxRelayOptions = {
  /** A connection of its own: the relay blocks on it (XREADGROUP BLOCK). */
  redis: RedisClient;
  queues: Queues;
  prefix: string;
  /** Unique per process, e.g. `${hostname}-${pid}`. */
  consumer: string;
  log: RelayLog;
  /** Waiting crm-events jobs the relay keeps topped up to; the rest of a burst stays in the inbox. */
  highWater?: number;
  /**
   * Jobs per bulk add. Redis runs a bulk add as one transaction, ≈95 µs a job, during which it answers no
   * one else: 500 at once held every webhook for 50 ms; 50 hold them for about 5.
   */
  batchSize?: number;
  /** An entry read by a relay that died is taken over after this long (the worker job lock, JOB_LOCK_MS). */
  claimIdleMs?: number;
  blockMs?: number;
};

/**
 * Moves inbox entries into crm-events: read a batch (entries a dead relay left behind first), add them in
 * bulk with their job ids, then acknowledge and delete them. A crash between the add and the acknowledgement
 * only means the batch is added again by whoever takes it over, and a job id BullMQ already has is a no-op.
 */
export function startInboxRelay(o: InboxRelayOptions): { stop: () => Promise<void> } {
  const { redis, log } = o;
  const k = inboxKeys(o.prefix);
  const crm = o.queues.byName['crm-events'];
  const highWater = o.highWater ?? 500;
  const claimIdleMs = o.claimIdleMs ?? 30_000;
  const blockMs = o.blockMs ?? 1000;
  const batchSize = o.batchSize ?? 50;
  let stopped = false;
  let lastClaim = 0;

  const ensureGroup = async () => {
    try {
      // From the start of the stream: entries accepted before the first relay ever ran are moved too.
      await redis.xgroup('CREATE', k.stream, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
    }
  };

  const claimStale = async (count: number): Promise<InboxEntry[]> => {
    const res = (await redis.xautoclaim(k.stream, GROUP, o.consumer, claimIdleMs, '0-0', 'COUNT', count)) as [string, [string, string[]][]];
    return toEntries(res[1] ?? []);
  };

  const readNew = async (count: number): Promise<InboxEntry[]> => {
    const res = (await redis.xreadgroup('GROUP', GROUP, o.consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', k.stream, '>')) as
      | [string, [string, string[]][]][]
      | null;
    return toEntries(res?.[0]?.[1] ?? []);
  };

  const move = async (entries: InboxEntry[]) => {
    const jobs = [];
    for (const e of entries) {
      const parsed = queueCatalog['crm-events'].schema.safeParse(e.data);
      // Written by acceptCrmEvent after the same check, so only a hand-made entry lands here: kept in the log, not retried forever.
      if (!parsed.success || !e.jobId)
        log.error(
          { entry_id: e.entryId, job_id: e.jobId, err: parsed.error?.message ?? 'no job id' },
          'inbox entry is not a crm-events job; dropped',
        );
      else jobs.push({ name: queueCatalog['crm-events'].job, data: parsed.data, opts: { jobId: e.jobId } });
    }
    if (jobs.length) await crm.addBulk(jobs);
    const ids = entries.map((e) => e.entryId);
    await redis
      .multi()
      .xack(k.stream, GROUP, ...ids)
      .xdel(k.stream, ...ids)
      .exec();
  };

  const loop = async () => {
    while (!stopped) {
      try {
        const room = Math.min(batchSize, highWater - (await crm.getWaitingCount()));
        if (room <= 0) {
          await sleep(100);
          continue;
        }
        let entries: InboxEntry[] = [];
        if (Date.now() - lastClaim >= claimIdleMs / 2) {
          entries = await claimStale(room);
          lastClaim = Date.now();
          if (entries.length) log.warn({ entries: entries.length }, 'took over inbox entries a stopped relay had read');
        }
        if (!entries.length) entries = await readNew(room);
        if (entries.length) await move(entries);
      } catch (err) {
        if (stopped) break;
        const message = (err as Error).message;
        log.warn({ err: message }, 'inbox relay: retrying');
        if (message.startsWith('NOGROUP')) await ensureGroup().catch(() => undefined); // a flushed or restored Redis
        await sleep(500);
      }
    }
  };

  const running = ensureGroup()
    .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'inbox relay: group not created yet'))
    .then(loop);
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}

function toEntries(raw: [string, string[]][]): InboxEntry[] {
  return raw
    .filter((e): e is [string, string[]] => Array.isArray(e?.[1])) // XAUTOCLAIM lists entries deleted meanwhile as nil
    .map(([entryId, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      let data: unknown = null;
      try {
        data = JSON.parse(f.get('data') ?? 'null');
      } catch {
        // left null: the relay drops and logs it
      }
      return { entryId, jobId: f.get('job') ?? '', data };
    });
}
