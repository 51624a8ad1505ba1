/**
 * Every metric any process records, in one place: writers (workers, store, ingress) and the one reader (the
 * ingress's /metrics) agree on names, label names and histogram buckets through this table. Buckets are in
 * seconds, Prometheus style; a value lands in the first bucket that is >= it (the +Inf bucket is implied).
 */
const NET = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const metricCatalog = {
  dda_webhooks_received_total: {
    type: 'counter',
    help: 'Webhook deliveries that reached the ingress, by source (crm, voice, messaging)',
    labels: ['source'],
  },
  dda_webhooks_rejected_total: { type: 'counter', help: 'Webhook deliveries refused, by source and reason', labels: ['source', 'reason'] },
  dda_webhooks_ignored_total: {
    type: 'counter',
    help: 'Webhook deliveries answered 202 but not acted on, by source and reason (unknown_account: a Merge linked account with no token)',
    labels: ['source', 'reason'],
  },
  dda_alerts_created_total: { type: 'counter', help: 'Alerts created, by source (webhook, poll, manual)', labels: ['source'] },
  dda_alerts_outcome_total: { type: 'counter', help: 'Alerts that reached an outcome, by outcome', labels: ['outcome'] },
  dda_jobs_total: {
    type: 'counter',
    help: 'Jobs finished by the workers, by queue and result (completed, failed)',
    labels: ['queue', 'result'],
  },
  dda_job_wait_seconds: {
    type: 'histogram',
    help: 'Time a job waited in its queue before a worker took it (after any delay), by queue',
    labels: ['queue'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
  },
  dda_job_duration_seconds: {
    type: 'histogram',
    help: 'Time a worker spent on one job attempt, by queue',
    labels: ['queue'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
  dda_call_dead_air_seconds: {
    type: 'histogram',
    help: 'Silence the VP hears: from the VP answering to the first prompt being sent',
    labels: [],
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
  },
  dda_time_to_dial_seconds: {
    type: 'histogram',
    help: 'From the alert being created to the VP dial being sent',
    labels: [],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
  },
  dda_telnyx_command_seconds: {
    type: 'histogram',
    help: 'Telnyx Call Control command latency, by action',
    labels: ['action'],
    buckets: NET,
  },
  dda_telnyx_command_errors_total: {
    type: 'counter',
    help: 'Telnyx commands that failed (not counting "call already ended"), by action and HTTP status',
    labels: ['action', 'status'],
  },
  dda_merge_request_seconds: {
    type: 'histogram',
    help: 'Merge API request latency per attempt, by endpoint',
    labels: ['endpoint'],
    buckets: NET,
  },
  dda_merge_request_errors_total: {
    type: 'counter',
    help: 'Merge API attempts that failed, by endpoint and status (error = network)',
    labels: ['endpoint', 'status'],
  },
  dda_merge_requests_total: {
    type: 'counter',
    help: 'Merge requests the shared budget let through, by priority (triage, notes, poll, listing)',
    labels: ['priority'],
  },
  dda_merge_budget_remaining: {
    type: 'histogram',
    help: "Requests left in the linked account's rolling-minute Merge budget right after each grant (a count, not seconds)",
    labels: [],
    buckets: [0, 1, 5, 10, 20, 40, 60, 80, 100, 200, 400],
  },
  dda_merge_budget_wait_seconds: {
    type: 'histogram',
    help: 'Time a Merge request waited for the budget, by priority',
    labels: ['priority'],
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120],
  },
  dda_merge_throttled_total: { type: 'counter', help: 'Merge 429 answers (each pauses the linked account)', labels: [] },
  dda_merge_records_skipped_total: {
    type: 'counter',
    help: 'Records in a Merge list page that could not be read and were skipped, by path (baseline, poll)',
    labels: ['path'],
  },
  dda_ai_request_seconds: {
    type: 'histogram',
    help: 'AI briefing request latency, by outcome (ok, timeout, error)',
    labels: ['outcome'],
    buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20],
  },
  dda_ai_request_errors_total: {
    type: 'counter',
    help: 'AI briefing requests that did not give a usable briefing, by reason',
    labels: ['reason'],
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricSpec =
  | { type: 'counter'; help: string; labels: readonly string[] }
  | { type: 'histogram'; help: string; labels: readonly string[]; buckets: readonly number[] };

export type MetricName = keyof typeof metricCatalog;
export type CounterName = { [K in MetricName]: (typeof metricCatalog)[K]['type'] extends 'counter' ? K : never }[MetricName];
export type HistogramName = { [K in MetricName]: (typeof metricCatalog)[K]['type'] extends 'histogram' ? K : never }[MetricName];
/** The labels a metric declares, each a string. */
export type LabelsOf<N extends MetricName> = { [L in (typeof metricCatalog)[N]['labels'][number]]: string };
export const metricNames = Object.keys(metricCatalog) as MetricName[];
