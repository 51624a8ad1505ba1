import type { Job, Worker } from 'bullmq';
import type { RedisClient } from '@dda/redis';
import { createMetricHooks, type MetricHooks } from '@dda/metrics';
import { startHeartbeat } from './worker-heartbeat.ts';

type Log = { info: (o: object, m: string) => void; error: (o: object, m: string) => void; warn: (o: object, m: string) => void };

/**
 * Logs each job once, with the ids a reader greps for, and never leaves an error unlistened. Each finished
 * attempt is also counted and timed per queue (jobs_total, job_wait_seconds, job_duration_seconds) into
 * Redis under the deployment's prefix (REDIS_PREFIX, not the queue's tagged BullMQ prefix), where the
 * ingress's /metrics reads it. A running worker also keeps the
 * container health check's heartbeat file fresh.
 */
export function observeWorker(worker: Worker, prefix: string, log: Log): void {
  const metrics = jobMetrics(worker, prefix, log);
  startHeartbeat(worker);
  worker.on('completed', (job, result) => {
    log.info(
      {
        queue: worker.name,
        job_id: job.id,
        ...idsOf(job.data),
        ms: job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : undefined,
        result: summarize(result),
      },
      'job done',
    );
    metrics.then(
      (m) => m.job(worker.name, timesOf(job), 'completed'),
      () => undefined,
    );
  });
  worker.on('failed', (job, err) => {
    log.warn({ queue: worker.name, job_id: job?.id, ...idsOf(job?.data), attempt: job?.attemptsMade, err: err.message }, 'job failed');
    if (job)
      metrics.then(
        (m) => m.job(worker.name, timesOf(job), 'failed'),
        () => undefined,
      );
  });
  worker.on('error', (err) => log.error({ queue: worker.name, err: err.message }, 'worker error'));
  // The counts batched so far, while the worker's connection is still open.
  worker.on(
    'closing',
    () =>
      void metrics.then(
        (m) => m.flush(),
        () => undefined,
      ),
  );
}

/** The worker's own BullMQ connection carries the writes: no extra connection per worker. */
function jobMetrics(worker: Worker, prefix: string, log: Log): Promise<MetricHooks> {
  const hooks = worker.backend.client.then((client) => createMetricHooks(client as unknown as RedisClient, prefix, log));
  hooks.catch(() => undefined);
  return hooks;
}

function timesOf(job: Job): { timestamp: number; processedOn?: number; finishedOn?: number; delay?: number } {
  return { timestamp: job.timestamp, processedOn: job.processedOn, finishedOn: job.finishedOn, delay: job.delay };
}

function idsOf(data: unknown): Record<string, string> {
  const d = (data ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  if (typeof d['alertId'] === 'string') out['alert_id'] = d['alertId'];
  if (typeof d['opportunityId'] === 'string') out['deal_id'] = d['opportunityId'];
  if (typeof d['eventId'] === 'string') out['event_id'] = d['eventId'];
  if (typeof d['callId'] === 'string') out['call_id'] = d['callId'];
  return out;
}

function summarize(result: unknown): unknown {
  if (result === undefined || result === null) return undefined;
  const s = JSON.stringify(result);
  return s.length > 300 ? `${s.slice(0, 300)}…` : result;
}

/** SIGTERM/SIGINT: stop taking jobs, let running ones finish (bounded), then close connections. */
export function closeOnSignal(log: Log, workers: Worker[], cleanup: () => Promise<void>, graceMs = 20_000): void {
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.warn({ graceMs }, 'grace period over, forcing exit');
      process.exit(1);
    }, graceMs);
    timer.unref();
    try {
      await Promise.all(workers.map((w) => w.close()));
      await cleanup();
    } catch (err) {
      log.error({ err }, 'error while shutting down');
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
}
