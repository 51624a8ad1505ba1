import type { Rep, RoutingDocument } from './routing-schema.ts';

/** The variables that described who gets the call before routing documents existed. */
export type LegacyRoutingEnv = {
  VP_SALES_NUMBER?: string | undefined;
  VP_NAME: string;
  ESCALATION_NUMBERS: string[];
  VP_TIMEZONE: string;
  QUIET_HOURS: string;
};

/**
 * Without a stored document the environment defines the routing, so an upgrade changes nothing: the VP
 * (with CALL_RETRY_ATTEMPTS retries), then each escalation number once, all under the VP's quiet hours,
 * and the reps of REP_DIRECTORY_FILE. Not validated: with no VP_SALES_NUMBER it has no route at all, and
 * every alert ends `failed` saying so, as before.
 */
export function routingFromEnv(env: LegacyRoutingEnv, reps: Rep[]): RoutingDocument {
  const shared = { timezone: env.VP_TIMEZONE, quiet_hours: env.QUIET_HOURS };
  const recipients: RoutingDocument['recipients'] = [
    ...(env.VP_SALES_NUMBER ? [{ id: 'vp', name: env.VP_NAME, phone: env.VP_SALES_NUMBER, ...shared }] : []),
    ...env.ESCALATION_NUMBERS.map((phone, i) => ({
      id: `escalation-${i + 1}`,
      name: 'the escalation contact',
      phone,
      ...shared,
      retries: 0,
    })),
  ];
  const routes = env.VP_SALES_NUMBER ? [{ name: 'everything', match: {}, call: recipients.map((r) => r.id) }] : [];
  return { recipients, routes, reps };
}
