import { scheduleFollowUp } from '@dda/queues';
import type { CallDeps } from './call-deps.ts';

/**
 * Hands each alert that has reached its final outcome to the follow-ups (the note on the deal, texts to
 * whoever was not reached). Called after the outcome is stored and again on every re-run of the step that
 * stored it: the job id is per outcome, so a repeat is a no-op and a crash between the two is healed by the
 * re-run. `snoozed` is not final (a reminder call follows), nor is an alert still on a call.
 */
export async function followUpConcluded(deps: Pick<CallDeps, 'alerts' | 'queues'>, alertIds: readonly string[]): Promise<void> {
  for (const id of alertIds) {
    const alert = await deps.alerts.get(id);
    if (!alert?.outcome || alert.outcome === 'snoozed') continue;
    if (alert.status !== 'completed' && alert.status !== 'failed') continue;
    await scheduleFollowUp(deps.queues, id, alert.outcome);
  }
}
