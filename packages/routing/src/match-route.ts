import { isAlertStage } from '@dda/domain';
import type { Route, RouteMatch, RoutingDocument } from './routing-schema.ts';

/** What a route can be matched on, taken from the alert's deal. */
export type RouteFacts = {
  /** Merge linked account the deal came from; null when unknown (manual alerts, one-account setups). */
  account: string | null;
  amount: number | null;
  stage: string | null;
  ownerEmail: string | null;
};

/**
 * Every key present must hold; an absent key holds for any deal. A deal whose amount (or stage, owner,
 * account) is unknown does not match a route that asks about it: "at least $500,000" is not proven by
 * an unknown amount.
 */
export function routeMatches(match: RouteMatch, facts: RouteFacts): boolean {
  if (match.accounts && (facts.account === null || !match.accounts.includes(facts.account))) return false;
  if (match.min_amount !== undefined && (facts.amount === null || !(facts.amount >= match.min_amount))) return false;
  if (match.max_amount !== undefined && (facts.amount === null || !(facts.amount < match.max_amount))) return false;
  if (match.stages && !isAlertStage(facts.stage, match.stages)) return false;
  if (match.owner_emails) {
    const owner = facts.ownerEmail?.trim().toLowerCase();
    if (!owner || !match.owner_emails.some((e) => e.toLowerCase() === owner)) return false;
  }
  return true;
}

/** The first route that matches wins, as in a firewall's rule list; null when none does. */
export function matchRoute(doc: Pick<RoutingDocument, 'routes'>, facts: RouteFacts): { route: Route; index: number } | null {
  const index = doc.routes.findIndex((r) => routeMatches(r.match, facts));
  return index === -1 ? null : { route: doc.routes[index]!, index };
}
