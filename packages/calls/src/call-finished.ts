import type { CallResult } from '@dda/domain';
import type { AlertOutcome } from '@dda/store';
import type { CallDeps } from './call-deps.ts';
import type { CallRecord } from './call-record.ts';
import { nextAfter } from './dial-ladder.ts';
import { dialPlanOf } from './alert-dial-plan.ts';
import { scheduleDial } from '@dda/queues';
import { followUpConcluded } from './alert-concluded.ts';

/**
 * The end of one dial: frees the callee's line, decides the alert's outcome or its next attempt (retry the VP,
 * then the escalation numbers in order), and gives the line to the next alert waiting for it.
 */
export async function onCallFinished(deps: CallDeps, record: CallRecord, result: CallResult, reason: string | null): Promise<void> {
  const { alerts, calls, settings } = deps;
  for (const id of record.group) {
    await alerts.addTimeline(id, 'call.ended', {
      call_id: record.id,
      callee: record.callee.role,
      ...recipientOf(record),
      attempt: record.attempt,
      result,
      ...(reason ? { reason } : {}),
    });
  }
  // Free the line before scheduling a retry, so the retry can never find this very call still holding it;
  // whoever waited meanwhile is called after the outcome below is recorded.
  const waiters = await calls.releaseLineAndTakeWaiting(record.callee.number, record.id);

  // The ladder of the plan this alert started with, not of the routing in force now.
  const alert = await alerts.get(record.alertId);
  const plan = alert ? (await dialPlanOf(deps, alert)).plan : { route: null, version: 0, call: [], ae: null };
  const after = nextAfter(plan, settings.retryDelayMs, result, record.attempt, record.callee.role);
  switch (after.kind) {
    case 'failed':
      // Our side could not drive the call (a command refused for good, retries spent): the alert ends here
      // with the reason, and the apology was the last thing heard.
      for (const id of record.group) await alerts.setOutcome(id, 'failed', reason ?? 'the call could not continue', 'failed');
      break;
    case 'reached':
      for (const [i, id] of record.group.entries()) {
        // The alert the VP acted on gets the result; the others of a digest were heard or announced.
        const own = i === record.ctx.focus;
        const r: CallResult = own ? result : 'acknowledged';
        const why = own ? reason : i < record.ctx.focus ? 'heard in a digest call' : 'announced in a digest call';
        const outcome: AlertOutcome = after.escalated ? 'escalated' : (r as AlertOutcome);
        const first = await alerts.setOutcome(
          id,
          outcome,
          after.escalated ? `escalation contact answered: ${r}${why ? ` (${why})` : ''}` : why,
          'completed',
        );
        // Connected was set at the bridge; the hangup adds how long they talked and completes the alert.
        if (own && record.bridgedAt)
          await alerts.setTalkTime(id, Math.max(0, Math.round((Date.now() - Date.parse(record.bridgedAt)) / 1000)));
        else if (!first) await alerts.setStatus(id, 'completed');
      }
      break;
    case 'retry':
      await scheduleDial(
        deps.queues,
        { alertId: record.alertId, attempt: after.attempt, round: record.round, group: record.group.slice(1) },
        { delayMs: after.delayMs },
      );
      {
        const name = plan.call.find((r) => r.id === after.recipient)?.name;
        for (const id of record.group)
          await alerts.addTimeline(id, 'retry.scheduled', {
            attempt: after.attempt,
            callee: after.callee,
            recipient: after.recipient,
            ...(name ? { name } : {}),
            in_seconds: Math.round(after.delayMs / 1000),
          });
      }
      break;
    case 'exhausted':
      for (const id of record.group)
        await alerts.setOutcome(
          id,
          after.outcome,
          `nobody reached after ${record.attempt + 1} attempts${reason ? ` (last: ${reason})` : ''}`,
          'completed',
        );
      break;
  }
  if (after.kind !== 'retry') await followUpConcluded(deps, record.group);
  await handLineToNextAlert(deps, record, waiters);
}

function recipientOf(record: CallRecord): { recipient?: string; name?: string } {
  return {
    ...(record.callee.recipient ? { recipient: record.callee.recipient } : {}),
    ...(record.callee.name ? { name: record.callee.name } : {}),
  };
}

/** Gives the callee's line back and starts the next call for whoever waited for it. */
export async function freeLine(deps: CallDeps, record: CallRecord): Promise<void> {
  await handLineToNextAlert(deps, record, await deps.calls.releaseLineAndTakeWaiting(record.callee.number, record.id));
}

/**
 * Alerts that waited for the line: one waiting → its own call; several → one digest call, largest first,
 * so an alert storm rings the VP once rather than once per deal.
 */
/** A waiting-list entry: which attempt of which alert was held back. */
export function waitingMember(alertId: string, round: number, attempt: number): string {
  return `${alertId}|${round}|${attempt}`;
}

/**
 * Alerts that waited for the line: one waiting → its own call (the attempt it was on); several → one digest
 * call, largest first, so an alert storm rings the VP once per call slot rather than once per deal.
 */
async function handLineToNextAlert(deps: CallDeps, record: CallRecord, members: string[]): Promise<void> {
  if (members.length === 0) return;
  const parsed = members.map((m) => {
    const [alertId, round, attempt] = m.split('|');
    return { alertId: alertId!, round: Number(round ?? 0), attempt: Number(attempt ?? 0) };
  });
  const loaded = await Promise.all(parsed.map(async (p) => ({ ...p, alert: await deps.alerts.get(p.alertId) })));
  const live = loaded.filter((x) => x.alert !== null && (!x.alert.outcome || x.alert.outcome === 'snoozed'));
  if (live.length === 0) return;
  live.sort((a, b) => (b.alert!.deal.amount ?? 0) - (a.alert!.deal.amount ?? 0) || a.alertId.localeCompare(b.alertId));
  const [primary, ...rest] = live;
  // A tag of its own: the attempt's first job may still be retained, and re-adding its id would be a no-op.
  await scheduleDial(
    deps.queues,
    { alertId: primary!.alertId, attempt: primary!.attempt, round: primary!.round, group: rest.map((x) => x.alertId) },
    { tag: `after-${record.id}` },
  );
}
