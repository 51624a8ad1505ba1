import type { DefaultJobOptions } from 'bullmq';
import type { z } from 'zod';
import { briefingJob, callEventJob, callWatchdogJob, crmEventJob, dialJob, followUpJob, pollJob } from './job-schemas.ts';

const DAY = 24 * 3600;

/**
 * A completed job keeps its id for `removeOnComplete.age`, and while it exists a re-add with the same id
 * is a no-op: that retention *is* the dedupe window for redelivered webhooks (docs/adr).
 */
const keepForDedupe = (days: number): Pick<DefaultJobOptions, 'removeOnComplete' | 'removeOnFail'> => ({
  removeOnComplete: { age: days * DAY, count: 200_000 },
  removeOnFail: { age: 30 * DAY, count: 50_000 },
});

export const queueCatalog = {
  'crm-events': {
    job: 'triage.opportunity',
    schema: crmEventJob,
    options: { attempts: 8, backoff: { type: 'exponential', delay: 1000, jitter: 0.2 }, ...keepForDedupe(7) },
  },
  briefings: {
    job: 'briefing.write',
    schema: briefingJob,
    options: { attempts: 3, backoff: { type: 'exponential', delay: 500 }, ...keepForDedupe(2) },
  },
  dials: {
    job: 'dialer.place-call',
    schema: dialJob,
    options: { attempts: 6, backoff: { type: 'exponential', delay: 1000, jitter: 0.2 }, ...keepForDedupe(2) },
  },
  // Call events matter for minutes: an hour covers Telnyx's redeliveries (the dedupe window) and a look at a
  // live call. Their payloads hold no phone number and no transcript (the ingress keeps only what the
  // call-worker reads; a transcript waits under its own key until the worker has put it on the timeline).
  'call-events': {
    job: 'call.apply-event',
    schema: callEventJob,
    options: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 200, jitter: 0.2 },
      removeOnComplete: { age: 3600, count: 50_000 },
      removeOnFail: { age: DAY, count: 10_000 },
    },
  },
  // A delayed job per step of a call (not a timer in memory): it survives a restart of every worker.
  'call-watchdog': {
    job: 'call.watchdog',
    schema: callWatchdogJob,
    options: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * DAY, count: 10_000 },
    },
  },
  // A note and a text are worth minutes of retries, not hours: each step owns its once-only marker, so a
  // retry repeats only what has not been done (packages/follow-ups).
  'follow-ups': {
    job: 'alert.follow-up',
    schema: followUpJob,
    options: { attempts: 6, backoff: { type: 'exponential', delay: 2000, jitter: 0.2 }, ...keepForDedupe(7) },
  },
  polls: {
    job: 'merge.poll',
    schema: pollJob,
    options: { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 100, removeOnFail: 100 },
  },
} as const satisfies Record<string, { job: string; schema: z.ZodType; options: DefaultJobOptions }>;

export type QueueName = keyof typeof queueCatalog;
export type JobData<Q extends QueueName> = z.infer<(typeof queueCatalog)[Q]['schema']>;
/** What a producer passes: defaults (attempt 0, no group, …) may be left out. */
export type JobInput<Q extends QueueName> = z.input<(typeof queueCatalog)[Q]['schema']>;
export const queueNames = Object.keys(queueCatalog) as QueueName[];
