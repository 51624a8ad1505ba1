export { createTelnyxSimulator } from './create-simulator.ts';
export { personas, callerEntersPin } from './personas.ts';
export { TELNYX_MODE_MATRIX, TELNYX_MESSAGE_MODES, type TelnyxModeName } from './mode-matrix.ts';
export { segmentsOf } from './message-center.ts';
export { maskNumber } from './print-lines.ts';
export type {
  AudioEntry,
  Faults,
  IncomingCall,
  IncomingCallRequest,
  PersonaAction,
  TelnyxModes,
  LegState,
  Persona,
  PersonaResponse,
  RejectedCommand,
  SentWebhook,
  SimCall,
  SimCommand,
  SimMessage,
  SimulatorOptions,
  TelnyxMessageMode,
  TelnyxSimulator,
} from './sim-types.ts';
export { createWebhookCollector, type CollectedWebhook, type WebhookCollector } from './webhook-collector.ts';
