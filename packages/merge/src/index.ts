export { signMergeBody, verifyMergeSignature } from './merge-signature.ts';
export { mergeWebhookSchema, classifyMergeWebhook, deliveryJobId, type MergeWebhook, type WebhookIntent } from './merge-webhook.ts';
export * from './merge-models.ts';
export { createMergeClient, MergeApiError, type MergeClient, type MergeClientOptions } from './merge-client.ts';
