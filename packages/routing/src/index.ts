export {
  routingDocumentSchema,
  recipientSchema,
  routeSchema,
  routeMatchSchema,
  repSchema,
  isTimeZone,
  type RoutingDocument,
  type RoutingDocumentInput,
  type Recipient,
  type Route,
  type RouteMatch,
  type Rep,
} from './routing-schema.ts';
export { validateRouting, type RoutingProblem, type RoutingValidation } from './routing-problems.ts';
export { matchRoute, routeMatches, type RouteFacts } from './match-route.ts';
export { planFor, publicPlan, type DialPlan, type PlannedRecipient } from './dial-plan.ts';
export { routingFromEnv, type LegacyRoutingEnv } from './routing-from-env.ts';
export { loadRepDirectoryFile } from './rep-directory-file.ts';
export { summarizeRoutingChange } from './routing-changes.ts';
export { createRoutingStore, type RoutingStore, type StoredRouting, type RoutingHistoryEntry } from './routing-store.ts';
export { createAlertPlans, type AlertPlans } from './alert-plans.ts';
export { loadRoutingFile } from './routing-file.ts';
export { currentRoutingSource, type CurrentRouting } from './current-routing.ts';
