import { enqueue, scheduleDial, type Queues } from '@dda/queues';
import type { AlertsRepository } from '@dda/store';

type Deps = { alerts: AlertsRepository; queues: Queues };

/**
 * Hands one created alert to the dialer and the briefing writer at the same time (dialing never waits for
 * the AI), then takes it out of the outbox. Job ids make a second hand-off a no-op.
 */
export async function dispatchAlert(deps: Deps, alertId: string): Promise<void> {
  await Promise.all([
    scheduleDial(deps.queues, { alertId, round: 0, attempt: 0 }),
    enqueue(deps.queues, 'briefings', { alertId }, { jobId: `brief-${alertId}` }),
  ]);
  await deps.alerts.markDispatched(alertId);
}

/**
 * The outbox sweep: alerts sit in the outbox until both jobs exist, so one whose hand-off a crash cut short
 * is dispatched here a few seconds later instead of being lost.
 */
export async function dispatchAlerts(deps: Deps, limit = 100): Promise<string[]> {
  const ids = await deps.alerts.undispatched(limit);
  for (const alertId of ids) await dispatchAlert(deps, alertId);
  return ids;
}
