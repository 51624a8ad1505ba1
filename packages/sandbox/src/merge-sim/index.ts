export { createMergeSimulator, type MergeSimulator, type MergeSimulatorOptions, type RecordedRequest } from './merge-simulator.ts';
export type { MergeFaults } from './fault-injection.ts';
export type { OpportunityEvent, WebhookDelivery } from './webhook-delivery.ts';
export type * from './crm-wire-types.ts';
export { makeAccount, makeNote, makeOpportunity, makeStage, makeUser } from './crm-records.ts';
export { CrmSimError } from './sim-errors.ts';
