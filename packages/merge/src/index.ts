export { signMergeBody, verifyMergeSignature } from './merge-signature.ts';
export { mergeWebhookSchema, classifyMergeWebhook, deliveryJobId, type MergeWebhook, type WebhookIntent } from './merge-webhook.ts';
export * from './merge-models.ts';
export {
  createMergeClient,
  accountKeyOf,
  MergeApiError,
  MergeWriteError,
  noteWriteVerdict,
  type WriteOutcome,
  type NoteInput,
  type NoteWriteMeta,
  type MergeClient,
  type MergeClientOptions,
  type CallOptions,
  type SkippedRecord,
  type RecordKind,
} from './merge-client.ts';
export {
  createMergeBudget,
  MergeBudgetTimeout,
  MERGE_PRIORITIES,
  type MergeBudget,
  type MergePriority,
  type BudgetGrant,
  type MergeBudgetOptions,
} from './merge-budget.ts';
export { createMergeDirectory, type MergeDirectory } from './merge-directory.ts';
