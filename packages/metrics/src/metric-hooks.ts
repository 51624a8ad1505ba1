import type { RedisClient } from '@dda/redis';
import { createMetricBatch } from './metric-batch.ts';

type WarnLog = { warn: (o: object, m: string) => void };

/** Shapes of the callbacks the vendor clients already have (structural, so this package depends on none of them). */
export type TelnyxCommandInfo = { action: string; ms: number; outcome: 'ok' | 'ended' | 'error'; status?: number };
export type MergeRequestInfo = { path: string; status: number | 'error'; ms: number; attempt?: number };
export type AiRequestInfo = { ms: number; outcome: 'ok' | 'timeout' | 'error'; reason?: string };
export type JobTimes = { timestamp: number; processedOn?: number | undefined; finishedOn?: number | undefined; delay?: number | undefined };

/** `/crm/v1/opportunities/7c2e…` → `/crm/v1/opportunities/:id`, so label values stay few. */
export function mergeEndpoint(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const head = parts.slice(0, 3);
  const tail = parts.slice(3).map((p, i) => (i === 0 ? ':id' : /^[a-z_-]+$/.test(p) ? p : ':id'));
  return `/${[...head, ...tail].join('/')}`;
}

/**
 * Fire-and-forget recorders for the hook points of the call path. A metric write must never slow or fail a
 * call, so each returns at once (the writes are batched, metric-batch.ts) and a Redis error becomes at most
 * one warning a minute.
 */
export function createMetricHooks(redis: RedisClient, prefix: string, log?: WarnLog, opts: { flushMs?: number } = {}) {
  let lastWarn = 0;
  const batch = createMetricBatch(redis, prefix, {
    ...opts,
    onError: (err: unknown) => {
      if (Date.now() - lastWarn < 60_000) return;
      lastWarn = Date.now();
      log?.warn({ err: (err as Error).message }, 'metric not recorded');
    },
  });
  const seconds = (ms: number) => ms / 1000;

  return {
    /** Writes what is pending now (graceful shutdown). */
    flush: batch.flush,
    /** createCallCommands({ onCommand }) */
    telnyxCommand(info: TelnyxCommandInfo): void {
      batch.observe('dda_telnyx_command_seconds', { action: info.action }, seconds(info.ms));
      // 'ended' (90018: the leg hung up first) is a normal end of a call, not a Telnyx error.
      if (info.outcome === 'error')
        batch.increment('dda_telnyx_command_errors_total', { action: info.action, status: String(info.status ?? 'error') });
    },
    /** createMergeClient({ onRequest }) */
    mergeRequest(info: MergeRequestInfo): void {
      const endpoint = mergeEndpoint(info.path);
      batch.observe('dda_merge_request_seconds', { endpoint }, seconds(info.ms));
      if (info.status === 'error' || info.status >= 400)
        batch.increment('dda_merge_request_errors_total', { endpoint, status: String(info.status) });
    },
    /** One AI briefing request, whether it gave a briefing or the template was used instead. */
    aiRequest(info: AiRequestInfo): void {
      batch.observe('dda_ai_request_seconds', { outcome: info.outcome }, seconds(info.ms));
      if (info.outcome !== 'ok') batch.increment('dda_ai_request_errors_total', { reason: info.reason ?? info.outcome });
    },
    /** VP answered → first prompt sent on the VP leg. */
    deadAir(ms: number): void {
      batch.observe('dda_call_dead_air_seconds', {}, seconds(ms));
    },
    /** Alert created → VP dial sent (first attempt of the first round). */
    timeToDial(ms: number): void {
      batch.observe('dda_time_to_dial_seconds', {}, seconds(ms));
    },
    /** A worker finished one job attempt (packages/queues observeWorker calls this). */
    job(queue: string, job: JobTimes, result: 'completed' | 'failed'): void {
      batch.increment('dda_jobs_total', { queue, result });
      if (job.processedOn) {
        // A delayed job (retry backoff, snooze) is not "waiting" until its delay is over.
        batch.observe('dda_job_wait_seconds', { queue }, seconds(Math.max(0, job.processedOn - job.timestamp - (job.delay ?? 0))));
        if (job.finishedOn) batch.observe('dda_job_duration_seconds', { queue }, seconds(job.finishedOn - job.processedOn));
      }
    },
  };
}

export type MetricHooks = ReturnType<typeof createMetricHooks>;
