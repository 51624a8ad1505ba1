import { Queue, Worker, type Job, type JobsOptions, type WorkerOptions } from 'bullmq';
import { duplicateClient, type RedisClient } from '@dda/redis';
import { queueCatalog, queueNames, type JobData, type JobInput, type QueueName } from './queue-catalog.ts';
import { queuePrefix } from './queue-keys.ts';

export type Queues = { redis: RedisClient; byName: { [Q in QueueName]: Queue }; close: () => void };

/*
 * BullMQ gets connections of its own. It defines its ~45 Lua scripts as commands on the connection it is
 * handed, and ioredis copies every defined command onto each MULTI, pipeline and auto-pipelined batch made on
 * that connection: on a shared one, each of our own MULTIs (a timeline entry, a status) paid for 90 property
 * copies, and their garbage was 14 % of the dialer-worker's time in a storm (CPU profile, bench/storm.ts).
 */
function bullConnection(of: RedisClient): RedisClient {
  const bull = duplicateClient(of);
  bull.on('error', () => undefined); // BullMQ reports it through the Queue's or the Worker's own 'error' event
  return bull;
}

export function createQueues(connection: RedisClient, prefix: string): Queues {
  const bull = bullConnection(connection);
  const byName = Object.fromEntries(
    queueNames.map((name) => [
      name,
      new Queue(name, { connection: bull, prefix: queuePrefix(prefix, name), defaultJobOptions: queueCatalog[name].options }),
    ]),
  ) as Queues['byName'];
  return { redis: connection, byName, close: () => bull.disconnect() };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues.byName).map((q) => q.close()));
  queues.close();
}

export type EnqueueResult = { jobId: string; duplicate: boolean };

/**
 * Adds a job whose payload is checked against the catalog schema. The job is added first (a no-op for a
 * retained id), then a marker with the same lifetime tells first delivery from repeat; a crash between the
 * two only turns a repeat into a second 202, never a lost job.
 */
export async function enqueue<Q extends QueueName>(
  queues: Queues,
  name: Q,
  data: JobInput<Q>,
  opts: JobsOptions & { jobId: string },
): Promise<EnqueueResult> {
  const payload = queueCatalog[name].schema.parse(data);
  const queue: Queue = queues.byName[name];
  await queue.add(queueCatalog[name].job, payload, opts);
  const client = queues.redis;
  const ttl = dedupeSeconds(name);
  const first = await client.set(`${queue.qualifiedName}:seen:${opts.jobId}`, '1', 'EX', ttl, 'NX');
  return { jobId: opts.jobId, duplicate: first === null };
}

/** How long a job id is remembered: as long as BullMQ keeps a completed job of that queue. */
export function dedupeSeconds(name: QueueName): number {
  const keep = queueCatalog[name].options.removeOnComplete;
  return typeof keep === 'object' && 'age' in keep && keep.age ? keep.age : 24 * 3600;
}

export type Processor<Q extends QueueName> = (data: JobData<Q>, job: Job) => Promise<unknown>;

export function createWorker<Q extends QueueName>(
  name: Q,
  processor: Processor<Q>,
  opts: { connection: RedisClient; prefix: string } & Omit<WorkerOptions, 'connection' | 'prefix'>,
): Worker {
  // A connection of BullMQ's own (see createQueues), closed with the worker.
  const bull = bullConnection(opts.connection);
  const worker = new Worker(
    name,
    async (job) => processor(queueCatalog[name].schema.parse(job.data) as JobData<Q>, job),
    // A crashed worker's job returns to the queue after about one lock period; twice and it fails for good.
    {
      lockDuration: opts.lockDuration ?? 30_000,
      stalledInterval: opts.lockDuration ?? 30_000,
      maxStalledCount: 2,
      ...opts,
      connection: bull,
      prefix: queuePrefix(opts.prefix, name),
    },
  );
  worker.on('closed', () => bull.disconnect());
  return worker;
}
