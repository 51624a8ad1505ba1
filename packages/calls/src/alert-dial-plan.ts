import { planFor, routingFromEnv, type DialPlan, type RouteFacts } from '@dda/routing';
import type { Alert } from '@dda/store';
import type { CallDeps } from './call-deps.ts';

/** What a route can match on, from the alert's deal. */
export function routeFactsOf(alert: Alert): RouteFacts {
  // Manual alerts and single-account deployments have no linked account: a route naming `accounts` skips them.
  return {
    account: alert.linked_account_id ?? null,
    amount: alert.deal.amount,
    stage: alert.deal.stage,
    ownerEmail: alert.deal.owner?.email ?? null,
  };
}

/**
 * The alert's dial plan: the one fixed at its first dial, else the routing in force now, matched and fixed
 * (`fresh` tells the caller to note the route on the timeline). Later attempts, retries after a snooze and
 * calls already ringing keep the plan they started with, whatever the routing says meanwhile.
 */
export async function dialPlanOf(deps: CallDeps, alert: Alert): Promise<{ plan: DialPlan; fresh: boolean }> {
  const { settings } = deps;
  if (!deps.routing) {
    const env = {
      VP_SALES_NUMBER: settings.vpNumber ?? undefined,
      VP_NAME: settings.vpName,
      ESCALATION_NUMBERS: settings.escalation,
      VP_TIMEZONE: settings.timeZone,
      QUIET_HOURS: settings.quietHours,
    };
    return { plan: planFor(routingFromEnv(env, deps.directory), 0, routeFactsOf(alert), settings.retryAttempts), fresh: false };
  }
  const fixed = await deps.routing.plans.get(alert.id);
  if (fixed) return { plan: fixed, fresh: false };
  const { routing, version } = await deps.routing.current();
  const { plan, claimed } = await deps.routing.plans.claim(
    alert.id,
    planFor(routing, version, routeFactsOf(alert), settings.retryAttempts),
  );
  return { plan, fresh: claimed };
}
