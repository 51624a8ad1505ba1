export * from './job-schemas.ts';
export { queueCatalog, queueNames, type QueueName, type JobData, type JobInput } from './queue-catalog.ts';
export { queuePrefix, queueKey } from './queue-keys.ts';
export { createQueues, closeQueues, enqueue, createWorker, type Queues, type EnqueueResult, type Processor } from './queue-client.ts';
export { observeWorker, closeOnSignal } from './worker-lifecycle.ts';
export { dialJobId, scheduleDial, type DialRef } from './dial-jobs.ts';
export { followUpJobId, scheduleFollowUp } from './follow-up-jobs.ts';
export {
  acceptCrmEvent,
  createCrmIntake,
  readInbox,
  inboxLength,
  inboxKeys,
  startInboxRelay,
  type InboxEntry,
  type InboxRelayOptions,
} from './crm-inbox.ts';
export { bootWorker, exitOnUnhandled, type WorkerBase } from './worker-bootstrap.ts';
