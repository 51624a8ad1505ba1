import { matchRoute, type RouteFacts } from './match-route.ts';
import type { RoutingDocument } from './routing-schema.ts';

/** One person in an alert's escalation order, copied out of the routing in force when the alert was routed. */
export type PlannedRecipient = {
  id: string;
  name: string;
  phone: string;
  timezone: string;
  quiet_hours: string;
  /** 1 + the recipient's retries. */
  tries: number;
};

/**
 * Who one alert calls, fixed when the alert is first dialled: a routing change made later applies to the
 * next alert, never to a call ladder already under way.
 */
export type DialPlan = {
  /** The matched route's name; null when no route matched (then `call` is empty). */
  route: string | null;
  /** The routing version it came from; 0 = the environment variables. */
  version: number;
  call: PlannedRecipient[];
  /** The deal owner's entry in the rep directory of that version: who "connect me" rings. */
  ae: { name: string; phone: string } | null;
};

export function planFor(routing: RoutingDocument, version: number, facts: RouteFacts, defaultRetries: number): DialPlan {
  const owner = facts.ownerEmail?.trim().toLowerCase();
  const rep = owner ? routing.reps.find((r) => r.email.toLowerCase() === owner) : undefined;
  const ae = rep ? { name: rep.name, phone: rep.phone } : null;
  const hit = matchRoute(routing, facts);
  if (!hit) return { route: null, version, call: [], ae };
  const byId = new Map(routing.recipients.map((r) => [r.id, r]));
  const call = hit.route.call.flatMap((id) => {
    const r = byId.get(id);
    return r
      ? [
          {
            id: r.id,
            name: r.name,
            phone: r.phone,
            timezone: r.timezone,
            quiet_hours: r.quiet_hours,
            tries: 1 + (r.retries ?? defaultRetries),
          },
        ]
      : [];
  });
  return { route: hit.route.name, version, call, ae };
}

/** Where a plan's recipients may be shown: everything but the phone numbers. */
export function publicPlan(plan: DialPlan): { route: string | null; version: number; call: { id: string; name: string }[] } {
  return { route: plan.route, version: plan.version, call: plan.call.map((r) => ({ id: r.id, name: r.name })) };
}
