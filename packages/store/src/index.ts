export * from './alert-types.ts';
export { newId } from './ids.ts';
export { createAlertsRepository, type AlertsRepository, type StoredSnapshot, type RecordOutcome } from './alerts-repository.ts';
