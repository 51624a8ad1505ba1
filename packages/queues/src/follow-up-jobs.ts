import { enqueue, type EnqueueResult, type Queues } from './queue-client.ts';

/** One follow-up per alert outcome: the id makes a repeated hand-off (a redelivered event, a re-run) a no-op. */
export function followUpJobId(alertId: string, outcome: string): string {
  return `fu-${alertId}-${outcome}`;
}

export function scheduleFollowUp(queues: Queues, alertId: string, outcome: string): Promise<EnqueueResult> {
  return enqueue(queues, 'follow-ups', { alertId, outcome }, { jobId: followUpJobId(alertId, outcome) });
}
