import { enqueue, type EnqueueResult, type Queues } from './queue-client.ts';
import type { JobInput } from './queue-catalog.ts';

export type DialRef = { alertId: string; round: number; attempt: number };

/**
 * The one place a dial job's id is made. One id per (alert, round, attempt) makes a repeated schedule a
 * no-op; a `tag` marks a deliberate second job for the same attempt (after quiet hours, after the line
 * freed), which must not collide with the attempt's first job still retained for dedupe.
 */
export function dialJobId(ref: DialRef, tag?: string): string {
  return `dial-${ref.alertId}-r${ref.round}a${ref.attempt}${tag ? `-${tag}` : ''}`;
}

/** Schedules one attempt of the ladder through the catalog (its zod schema parses the payload). */
export function scheduleDial(
  queues: Queues,
  job: JobInput<'dials'> & DialRef,
  opts: { delayMs?: number; tag?: string } = {},
): Promise<EnqueueResult> {
  return enqueue(queues, 'dials', job, {
    jobId: dialJobId(job, opts.tag),
    ...(opts.delayMs ? { delay: Math.max(0, Math.round(opts.delayMs)) } : {}),
  });
}
