import type { Worker } from 'bullmq';

type Log = { info: (o: object, m: string) => void; error: (o: object, m: string) => void; warn: (o: object, m: string) => void };

/** Logs each job once, with the ids a reader greps for, and never leaves an error unlistened. */
export function observeWorker(worker: Worker, log: Log): void {
  worker.on('completed', (job, result) =>
    log.info({ queue: worker.name, job_id: job.id, ...idsOf(job.data), ms: job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : undefined, result: summarize(result) }, 'job done'),
  );
  worker.on('failed', (job, err) =>
    log.warn({ queue: worker.name, job_id: job?.id, ...idsOf(job?.data), attempt: job?.attemptsMade, err: err.message }, 'job failed'),
  );
  worker.on('error', (err) => log.error({ queue: worker.name, err: err.message }, 'worker error'));
}

function idsOf(data: unknown): Record<string, string> {
  const d = (data ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  if (typeof d['alertId'] === 'string') out['alert_id'] = d['alertId'];
  if (typeof d['opportunityId'] === 'string') out['deal_id'] = d['opportunityId'];
  if (typeof d['eventId'] === 'string') out['event_id'] = d['eventId'];
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
