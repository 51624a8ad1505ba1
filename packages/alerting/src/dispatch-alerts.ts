import { enqueue, type Queues } from '@dda/queues';
import type { AlertsRepository } from '@dda/store';

/**
 * Hands created alerts to the dialer and the briefing writer at the same time (dialing never waits for
 * the AI). Alerts sit in an outbox until both jobs exist, so a crash after creation delays a call but
 * never loses one; job ids make a second hand-off a no-op.
 */
export async function dispatchAlerts(deps: { alerts: AlertsRepository; queues: Queues }, limit = 100): Promise<string[]> {
  const ids = await deps.alerts.undispatched(limit);
  for (const alertId of ids) {
    await Promise.all([
      enqueue(deps.queues, 'dials', { alertId, attempt: 0, round: 0 }, { jobId: `dial-${alertId}-r0a0` }),
      enqueue(deps.queues, 'briefings', { alertId }, { jobId: `brief-${alertId}` }),
    ]);
    await deps.alerts.markDispatched(alertId);
  }
  return ids;
}
