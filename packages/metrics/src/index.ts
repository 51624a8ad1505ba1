export {
  metricCatalog,
  metricNames,
  type MetricName,
  type CounterName,
  type HistogramName,
  type LabelsOf,
  type MetricSpec,
} from './metric-catalog.ts';
export {
  metricKey,
  counterField,
  addIncrement,
  readCounter,
  readHistogram,
  bucketIndex,
  type CounterSeries,
  type HistogramSeries,
} from './redis-metrics.ts';
export {
  createMetricHooks,
  mergeEndpoint,
  type MetricHooks,
  type TelnyxCommandInfo,
  type MergeRequestInfo,
  type AiRequestInfo,
  type JobTimes,
} from './metric-hooks.ts';
export { createMetricBatch, type MetricBatch } from './metric-batch.ts';
