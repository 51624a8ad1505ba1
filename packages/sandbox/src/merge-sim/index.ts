export { createMergeSimulator, type MergeSimulator, type MergeSimulatorOptions, type RecordedRequest } from './merge-simulator.ts';
export { NOTE_FAULTS, type MergeFaults, type NoteFault } from './fault-injection.ts';
export { noteMetaResponse, type ValidationProblem } from './note-write-routes.ts';
export type { OpportunityEvent, WebhookDelivery } from './webhook-delivery.ts';
export type * from './crm-wire-types.ts';
export { makeAccount, makeNote, makeOpportunity, makeStage, makeUser } from './crm-records.ts';
export { CrmSimError } from './sim-errors.ts';
