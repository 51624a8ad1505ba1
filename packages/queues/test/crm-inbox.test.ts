import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectTestRedis, deleteKeys, testRedisUrl, uniquePrefix, waitUntil } from '@dda/testkit';
import { connect } from 'node:net';
import { Redis as RedisConnection } from 'ioredis';
import {
  acceptCrmEvent,
  closeQueues,
  createCrmIntake,
  createQueues,
  inboxKeys,
  inboxLength,
  readInbox,
  startInboxRelay,
  type Queues,
} from '../src/index.ts';

let redis: Redis;
const prefixes: string[] = [];
const relayConnections: Redis[] = [];
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  for (const c of relayConnections) c.disconnect();
  for (const p of prefixes) await deleteKeys(redis, p);
  redis.disconnect();
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const change = (n: number) => ({
  source: 'webhook' as const,
  opportunityId: `deal-${n}`,
  event: 'changed' as const,
  modifiedAt: `2030-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
  receivedAt: new Date().toISOString(),
});

function setup(): {
  prefix: string;
  queues: Queues;
  relay: (o?: { highWater?: number; claimIdleMs?: number; consumer?: string }) => ReturnType<typeof startInboxRelay>;
} {
  const prefix = uniquePrefix('inbox');
  prefixes.push(prefix);
  const queues = createQueues(redis, prefix);
  return {
    prefix,
    queues,
    relay: (o = {}) => {
      const conn = redis.duplicate();
      relayConnections.push(conn);
      return startInboxRelay({ redis: conn, queues, prefix, consumer: o.consumer ?? 'test-relay', log: quiet, blockMs: 100, ...o });
    },
  };
}

describe('accepting a CRM change', () => {
  it('queues the first delivery of a job id and answers a repeat as duplicate, with one inbox entry', async () => {
    const { prefix, queues } = setup();
    expect(await acceptCrmEvent(redis, prefix, change(1), 'merge-a')).toEqual({ jobId: 'merge-a', duplicate: false });
    for (let i = 0; i < 3; i++) expect((await acceptCrmEvent(redis, prefix, change(1), 'merge-a')).duplicate).toBe(true);
    expect(await acceptCrmEvent(redis, prefix, change(2), 'merge-b')).toEqual({ jobId: 'merge-b', duplicate: false });
    const inbox = await readInbox(redis, prefix);
    expect(inbox.map((e) => e.jobId)).toEqual(['merge-a', 'merge-b']);
    expect(inbox[0]!.data).toMatchObject({ opportunityId: 'deal-1', event: 'changed', source: 'webhook' });
    // The marker lives as long as BullMQ keeps a completed crm-events job (7 days).
    const ttl = await redis.ttl(inboxKeys(prefix).seen('merge-a'));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600);
    await closeQueues(queues);
  });

  it('refuses a payload that is not a crm-events job before touching Redis', async () => {
    const { prefix, queues } = setup();
    await expect(acceptCrmEvent(redis, prefix, { ...change(1), event: 'merged' as never }, 'merge-x')).rejects.toThrow();
    expect(await inboxLength(redis, prefix)).toBe(0);
    expect(await redis.exists(inboxKeys(prefix).seen('merge-x'))).toBe(0);
    await closeQueues(queues);
  });
});

/**
 * The script calls Redis runs on `prefix`'s keys while `run` runs, as MONITOR reports them (each a list of its
 * quoted arguments). A raw socket: ioredis's own monitor mode loses its place when the feed starts at once.
 */
async function scriptCallsDuring(prefix: string, run: () => Promise<unknown>): Promise<string[][]> {
  const { hostname, port } = new URL(await testRedisUrl());
  const socket = connect({ host: hostname, port: Number(port || 6379) });
  let feed = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (feed += chunk));
  socket.write('MONITOR\r\n');
  await waitUntil(async () => feed.startsWith('+OK'), 5000, 'MONITOR to start');
  try {
    await run();
    // The feed is in Redis's order: once this probe shows up, every command `run` sent is in it.
    const probe = `probe-${prefix}`;
    await redis.exists(probe);
    await waitUntil(async () => feed.includes(probe), 5000, 'the probe in the MONITOR feed');
  } finally {
    socket.destroy();
  }
  return feed
    .split('\r\n')
    .filter((line) => /"eval(sha)?"/i.test(line) && line.includes(prefix))
    .map((line) => [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!));
}

describe('the ingress intake (one script call per event-loop turn)', () => {
  it('writes the changes of one turn in one call, answering each caller on its own, in order', async () => {
    const { prefix, queues } = setup();
    const intake = createCrmIntake({ redis, prefix });
    let results: Awaited<ReturnType<typeof intake.accept>>[] = [];
    const calls = await scriptCallsDuring(prefix, async () => {
      results = await Promise.all(Array.from({ length: 12 }, (_, i) => intake.accept(change(i), `merge-${i}`)));
    });
    expect(calls).toHaveLength(1);
    expect(results.map((r) => r.duplicate)).toEqual(Array(12).fill(false));
    expect(results.map((r) => r.jobId)).toEqual(Array.from({ length: 12 }, (_, i) => `merge-${i}`));
    const inbox = await readInbox(redis, prefix);
    expect(inbox.map((e) => e.jobId)).toEqual(Array.from({ length: 12 }, (_, i) => `merge-${i}`));
    expect(inbox[3]!.data).toMatchObject({ opportunityId: 'deal-3', event: 'changed', source: 'webhook' });
    expect(await redis.ttl(inboxKeys(prefix).seen('merge-3'))).toBeGreaterThan(6 * 24 * 3600);
    await closeQueues(queues);
  });

  it('queues a job id once: a repeat in the same turn or a later one is a duplicate', async () => {
    const { prefix, queues } = setup();
    const intake = createCrmIntake({ redis, prefix });
    const sameTurn = await Promise.all([
      intake.accept(change(1), 'merge-a'),
      intake.accept(change(1), 'merge-a'),
      intake.accept(change(2), 'merge-b'),
    ]);
    expect(sameTurn.map((r) => r.duplicate)).toEqual([false, true, false]);
    expect((await intake.accept(change(1), 'merge-a')).duplicate).toBe(true);
    // The one-change path shares the markers: what the intake queued, it calls a duplicate too.
    expect((await acceptCrmEvent(redis, prefix, change(2), 'merge-b')).duplicate).toBe(true);
    expect((await readInbox(redis, prefix)).map((e) => e.jobId)).toEqual(['merge-a', 'merge-b']);
    await closeQueues(queues);
  });

  it('refuses a bad payload alone: the rest of its turn is written', async () => {
    const { prefix, queues } = setup();
    const intake = createCrmIntake({ redis, prefix });
    const outcomes = await Promise.allSettled([
      intake.accept(change(1), 'merge-1'),
      intake.accept({ ...change(2), event: 'merged' as never }, 'merge-2'),
      intake.accept(change(3), 'merge-3'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await readInbox(redis, prefix)).map((e) => e.jobId)).toEqual(['merge-1', 'merge-3']);
    expect(await redis.exists(inboxKeys(prefix).seen('merge-2'))).toBe(0);
    await closeQueues(queues);
  });

  it('splits a turn larger than maxBatch into calls of at most maxBatch changes', async () => {
    const { prefix, queues } = setup();
    const intake = createCrmIntake({ redis, prefix, maxBatch: 4 });
    const calls = await scriptCallsDuring(prefix, () =>
      Promise.all(Array.from({ length: 10 }, (_, i) => intake.accept(change(i), `merge-${i}`))),
    );
    // EVALSHA sha numkeys stream marker… : the markers a call carried.
    expect(calls.map((c) => Number(c[2]) - 1)).toEqual([4, 4, 2]);
    expect(await inboxLength(redis, prefix)).toBe(10);
    await closeQueues(queues);
  });

  it('fails every caller of a batch Redis did not take, and accepts again once Redis answers', async () => {
    const { prefix, queues } = setup();
    // A connection to a port nobody listens on, failing fast like the ingress's own (no offline queue).
    const down = new RedisConnection({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const refused = createCrmIntake({ redis: down, prefix });
    const outcomes = await Promise.allSettled([refused.accept(change(1), 'merge-1'), refused.accept(change(2), 'merge-2')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    down.disconnect();
    expect(await inboxLength(redis, prefix)).toBe(0);
    // Nothing was marked seen: Merge's redelivery of the same change is queued, not taken for a duplicate.
    expect((await createCrmIntake({ redis, prefix }).accept(change(1), 'merge-1')).duplicate).toBe(false);
    await closeQueues(queues);
  });
});

describe('the relay into crm-events', () => {
  it('moves every entry into the queue as a job with its id, payload and the catalog options, and empties the inbox', async () => {
    const { prefix, queues, relay } = setup();
    for (let i = 0; i < 25; i++) await acceptCrmEvent(redis, prefix, change(i), `merge-${i}`);
    const r = relay();
    const crm = queues.byName['crm-events'];
    await waitUntil(async () => (await crm.getWaitingCount()) === 25, 5000, 'all 25 jobs');
    // The acknowledgement follows the bulk add in a second round trip: on a loaded machine a probe can land between.
    await waitUntil(async () => (await inboxLength(redis, prefix)) === 0 || undefined, 5000, 'the inbox to empty');
    const job = await crm.getJob('merge-7');
    expect(job?.name).toBe('triage.opportunity');
    expect(job?.data).toMatchObject({ opportunityId: 'deal-7', event: 'changed' });
    expect(job?.opts.attempts).toBe(8);
    // Entries that arrive while it runs are moved too.
    await acceptCrmEvent(redis, prefix, change(99), 'merge-99');
    await waitUntil(async () => (await crm.getJob('merge-99')) !== undefined, 5000, 'the late entry');
    await r.stop();
    await closeQueues(queues);
  });

  it('keeps only highWater jobs waiting: the rest of a burst stays in the inbox until triage makes room', async () => {
    const { prefix, queues, relay } = setup();
    for (let i = 0; i < 20; i++) await acceptCrmEvent(redis, prefix, change(i), `merge-${i}`);
    const r = relay({ highWater: 5 });
    const crm = queues.byName['crm-events'];
    await waitUntil(async () => (await crm.getWaitingCount()) === 5, 5000, 'five waiting');
    await new Promise((res) => setTimeout(res, 300));
    expect(await crm.getWaitingCount()).toBe(5);
    expect(await inboxLength(redis, prefix)).toBe(15);
    // Triage takes the waiting five (drained here): the relay tops the queue up again, oldest first.
    await crm.drain();
    await waitUntil(async () => (await crm.getWaitingCount()) === 5, 5000, 'five more');
    await waitUntil(async () => (await inboxLength(redis, prefix)) === 10 || undefined, 5000, 'ten left in the inbox');
    await new Promise((res) => setTimeout(res, 300));
    expect(await inboxLength(redis, prefix)).toBe(10);
    expect(await crm.getJob('merge-5')).toBeDefined();
    await r.stop();
    await closeQueues(queues);
  });

  it('a relay that died after reading (and even after adding) is taken over: each job exactly once', async () => {
    const { prefix, queues, relay } = setup();
    const k = inboxKeys(prefix);
    for (let i = 0; i < 6; i++) await acceptCrmEvent(redis, prefix, change(i), `merge-${i}`);
    // The dead relay: read all six, added the first three to BullMQ, then was killed before acknowledging.
    await redis.xgroup('CREATE', k.stream, 'relay', '0', 'MKSTREAM');
    await redis.xreadgroup('GROUP', 'relay', 'dead-relay', 'COUNT', 6, 'STREAMS', k.stream, '>');
    const crm = queues.byName['crm-events'];
    await crm.addBulk([0, 1, 2].map((i) => ({ name: 'triage.opportunity', data: change(i), opts: { jobId: `merge-${i}` } })));

    const r = relay({ claimIdleMs: 200, consumer: 'new-relay' });
    await waitUntil(async () => (await inboxLength(redis, prefix)) === 0, 5000, "the dead relay's entries moved");
    const ids = (await crm.getWaiting()).map((j) => j.id).sort();
    expect(ids).toEqual(['merge-0', 'merge-1', 'merge-2', 'merge-3', 'merge-4', 'merge-5']);
    const pending = (await redis.xpending(k.stream, 'relay')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
    await r.stop();
    await closeQueues(queues);
  });
});
