export { createTelnyxSimulator } from './create-simulator.ts';
export { personas } from './personas.ts';
export { TELNYX_MODE_MATRIX, type TelnyxModeName } from './mode-matrix.ts';
export { maskNumber } from './print-lines.ts';
export type {
  AudioEntry,
  Faults,
  PersonaAction,
  TelnyxModes,
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
