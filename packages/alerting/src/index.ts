export { triageDeal, alertDoc, type TriageDeps, type TriageResult } from './triage-deal.ts';
export { dispatchAlert, dispatchAlerts } from './dispatch-alerts.ts';
export { pollModifiedDeals, type PollDeps } from './backstop-poll.ts';
export { runBaseline, createBaselineGate, baselineKeys, pollLastKey, type BaselineDeps, type BaselineGate } from './deal-baseline.ts';
export { createSharedMergeBudget } from './shared-merge-budget.ts';
