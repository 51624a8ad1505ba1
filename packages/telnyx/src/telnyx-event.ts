import { z } from 'zod';

/**
 * The Call Control webhook envelope (docs/vendor-facts.md#webhooks, fixtures/telnyx/call.*.json).
 * Only the fields every consumer routes on are checked; the rest of the payload passes through untouched
 * because each event type adds its own (digits, transcription_data, hangup_cause, ...).
 * call_control_id is optional: the call.machine.* fixtures arrive without it.
 */
export const telnyxEventPayloadSchema = z
  .object({
    call_control_id: z.string().min(1).optional(),
    call_leg_id: z.string().min(1),
    call_session_id: z.string().min(1),
    client_state: z.string().nullable().optional(),
  })
  .loose();

export const telnyxEventSchema = z
  .object({
    data: z
      .object({
        record_type: z.literal('event'),
        event_type: z.string().min(1).max(200),
        id: z.string().min(1).max(200),
        occurred_at: z.string().min(1).max(100),
        payload: telnyxEventPayloadSchema,
      })
      .loose(),
    // Present in Telnyx's docs example ({attempt, delivered_to}), absent from the SDK types: never rely on it.
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export type TelnyxEvent = z.infer<typeof telnyxEventSchema>;
export type TelnyxEventPayload = z.infer<typeof telnyxEventPayloadSchema>;
