import { newCallContext, quietHoursRemainingMs } from '@dda/domain';
import { commandId, encodeClientState } from '@dda/telnyx';
import type { CallDeps } from './call-deps.ts';
import { callIdFor, type CallRecord } from './call-record.ts';
import { publicPlan } from '@dda/routing';
import { dialPlanOf } from './alert-dial-plan.ts';
import { runOutbox } from './call-executor.ts';
import { armWatchdog } from './call-watchdog.ts';
import { waitingMember } from './call-finished.ts';
import { calleeFor } from './dial-ladder.ts';
import { scheduleDial } from '@dda/queues';
import { followUpConcluded } from './alert-concluded.ts';

export type PlaceCallResult =
  | { placed: true; callId: string }
  | { placed: false; reason: 'alert_missing' | 'already_done' | 'line_busy' | 'no_callee' | 'resumed' | 'quiet_hours'; callId?: string };

/**
 * The dialer's job: one attempt of one alert. Idempotent per (alert, round, attempt): a re-run finds the
 * call already recorded and only finishes what it had not done; the dial itself carries a fixed command_id.
 */
export async function placeCall(
  deps: CallDeps,
  job: { alertId: string; attempt: number; round: number; group?: string[] },
): Promise<PlaceCallResult> {
  const { alerts, calls, settings } = deps;
  const alert = await alerts.get(job.alertId);
  if (!alert) return { placed: false, reason: 'alert_missing' };
  const callId = callIdFor(job.alertId, job.round, job.attempt);
  if (alert.outcome && alert.outcome !== 'snoozed' && job.round === 0 && job.attempt === 0)
    return { placed: false, reason: 'already_done' };

  return calls.withLock(callId, async () => {
    // Under appendfsync always every round trip waits for a disk flush, so what does not depend on an earlier
    // answer goes out together: the record check and the plan (fixing a plan twice is a no-op) here, the line
    // count with the digest's alerts, and the timeline with the dial below (bench/time-to-dial.ts).
    const [existing, { plan, fresh }] = await Promise.all([calls.get(callId), dialPlanOf(deps, alert)]);
    if (existing) {
      // A crash may have cut the dial short: resend it (same command_id) unless the call is known to exist.
      if (existing.ccid.vp === null && existing.ctx.state === 'dialing') await dialCallee(deps, existing);
      await runOutbox(deps, existing);
      return { placed: false, reason: 'resumed', callId };
    }
    // Who is called was fixed at the alert's first dial; a routing change since applies to later alerts.
    if (fresh) await alerts.addTimeline(job.alertId, 'route.matched', publicPlan(plan));
    const callee = calleeFor(plan, job.attempt);
    const who = plan.call.find((r) => r.id === callee?.recipient);
    if (!callee || !who) {
      const why =
        plan.call.length > 0
          ? `the route has no attempt ${job.attempt + 1}`
          : plan.version === 0
            ? 'no number to call: set VP_SALES_NUMBER or PUT /routing'
            : `no route of routing version ${plan.version} matches this deal`;
      await alerts.setOutcome(job.alertId, 'failed', why, 'failed');
      await followUpConcluded(deps, [job.alertId]);
      return { placed: false, reason: 'no_callee' };
    }
    // Quiet hours are the recipient's own, in their time zone.
    const quietMs = quietHoursRemainingMs(new Date(), who.timezone, who.quiet_hours);
    const urgent = settings.urgentAmount !== null && (alert.deal.amount ?? 0) >= settings.urgentAmount;
    if (quietMs > 0 && !urgent) {
      const until = new Date(Date.now() + quietMs);
      await scheduleDial(
        deps.queues,
        { alertId: job.alertId, attempt: job.attempt, round: job.round, group: job.group ?? [] },
        { delayMs: quietMs, tag: `quiet-${until.toISOString().slice(0, 13).replace(/\D/g, '')}` },
      );
      await alerts.setStatus(job.alertId, 'waiting');
      await alerts.addTimeline(job.alertId, 'deferred', {
        reason: `quiet hours of ${who.name}`,
        until: until.toISOString(),
        time_zone: who.timezone,
      });
      return { placed: false, reason: 'quiet_hours' };
    }
    const members = [waitingMember(job.alertId, job.round, job.attempt), ...(job.group ?? []).map((id) => waitingMember(id, 0, 0))];
    if (!(await calls.acquireLineOrWait(callee.number, callId, members))) {
      for (const id of [job.alertId, ...(job.group ?? [])]) {
        await alerts.setStatus(id, 'waiting');
        await alerts.addTimeline(id, 'waiting', { reason: `another alert call is live on the line of ${who.name}` });
      }
      return { placed: false, reason: 'line_busy' };
    }
    const [loaded, waiting] = await Promise.all([
      Promise.all((job.group ?? []).map((id) => alerts.get(id))),
      calls.countWaiting(callee.number),
    ]);
    const others = loaded.filter((a) => a !== null);
    // Each alert of a digest transfers to its own deal's AE, as its own plan found them.
    const othersAe = await Promise.all(others.map(async (a) => (await dialPlanOf(deps, a)).plan.ae));
    const record: CallRecord = {
      id: callId,
      alertId: job.alertId,
      group: [job.alertId, ...others.map((a) => a.id)],
      round: job.round,
      attempt: job.attempt,
      callee,
      ae: { name: plan.ae?.name ?? alert.deal.owner?.name ?? null, number: plan.ae?.phone ?? null },
      aes: [plan.ae, ...othersAe],
      ccid: { vp: null, ae: null },
      ctx: newCallContext([Boolean(plan.ae), ...othersAe.map(Boolean)]),
      outbox: [],
      waiting,
      createdAt: new Date().toISOString(),
      version: 0,
    };
    await calls.save(record);
    const dialing = {
      call_id: callId,
      callee: callee.role,
      recipient: who.id,
      name: who.name,
      attempt: job.attempt,
      round: job.round,
      ...(record.group.length > 1 ? { digest_of: record.group.length } : {}),
    };
    // The timeline's writes leave before the dial's request does, so they land before anything its webhooks write.
    await Promise.all([
      ...record.group.flatMap((id) => [alerts.setStatus(id, 'calling'), alerts.addTimeline(id, 'call.dialing', dialing)]),
      dialCallee(deps, record),
    ]);
    if (job.attempt === 0 && job.round === 0) deps.metrics?.timeToDial(Date.now() - Date.parse(alert.created_at));
    deps.log.info(
      { alert_id: job.alertId, call_id: callId, callee: callee.role, recipient: who.id, route: plan.route, attempt: job.attempt },
      'call placed',
    );
    return { placed: true, callId };
  });
}

async function dialCallee(deps: CallDeps, record: CallRecord): Promise<void> {
  const { settings } = deps;
  const leg = await deps.telnyx.dial({
    connection_id: settings.connectionId,
    from: settings.from,
    to: record.callee.number,
    answering_machine_detection: 'detect_words',
    timeout_secs: settings.ringTimeoutSecs,
    webhook_url: settings.webhookUrl,
    client_state: encodeClientState({ callId: record.id, leg: 'vp', step: 0 }),
    command_id: commandId(record.id, 'vp.dial'),
  });
  record.ccid.vp ??= leg.callControlId;
  await deps.calls.save(record);
  // A ring that never turns into an answer, a verdict or a hangup (lost webhooks) is closed by the watchdog.
  await armWatchdog(deps, record);
}
