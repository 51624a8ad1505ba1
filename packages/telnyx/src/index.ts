export { telnyxEventSchema, telnyxEventPayloadSchema, type TelnyxEvent, type TelnyxEventPayload } from './telnyx-event.ts';
export {
  verifyTelnyxWebhook,
  normaliseHeaders,
  type WebhookVerification,
  type WebhookRejection,
  type IncomingHeaders,
} from './webhook-verification.ts';
export { generateWebhookKeyPair, signTelnyxWebhook, type WebhookKeyPair } from './webhook-signing.ts';
export { encodeClientState, decodeClientState, type ClientState, type Leg } from './client-state.ts';
export { commandId } from './command-id.ts';
export {
  createCallCommands,
  type CallCommands,
  type CallCommandsOptions,
  type CommandInfo,
  type CommandOutcome,
  type DialedLeg,
} from './call-commands.ts';
export {
  createMessaging,
  isDefinitelyNotSent,
  type Messaging,
  type MessagingOptions,
  type SendTextInput,
  type SentText,
} from './messaging.ts';
export { isRetryableTelnyxError, isPermanentTelnyxError, isCallEndedError, telnyxErrorCode, telnyxApiError } from './telnyx-errors.ts';
export { telnyxMessageEventSchema, type TelnyxMessageEvent } from './message-event.ts';
