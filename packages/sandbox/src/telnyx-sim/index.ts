export { createTelnyxSimulator } from './create-simulator.ts';
export { personas } from './personas.ts';
export { maskNumber } from './print-lines.ts';
export type {
  Faults,
  LegState,
  Persona,
  PersonaResponse,
  RejectedCommand,
  SentWebhook,
  SimCall,
  SimCommand,
  SimulatorOptions,
  TelnyxSimulator,
} from './sim-types.ts';
export { createWebhookCollector, type CollectedWebhook, type WebhookCollector } from './webhook-collector.ts';
