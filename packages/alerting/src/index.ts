export { triageDeal, alertDoc, type TriageDeps, type TriageResult } from './triage-deal.ts';
export { dispatchAlert, dispatchAlerts } from './dispatch-alerts.ts';
export { pollModifiedDeals, type PollDeps } from './backstop-poll.ts';
