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

const OCCURRED_AT = z.string().min(1).max(100);

/**
 * The envelope every Telnyx webhook shares (Call Control and messaging alike), around an event's own payload.
 * `occurredAt` says how strictly `data.occurred_at` is read (required unless given).
 */
export function telnyxEnvelope<P extends z.ZodType, O extends z.ZodType = typeof OCCURRED_AT>(payload: P, occurredAt?: O) {
  return z
    .object({
      data: z
        .object({
          record_type: z.literal('event'),
          event_type: z.string().min(1).max(200),
          id: z.string().min(1).max(200),
          occurred_at: (occurredAt ?? OCCURRED_AT) as O,
          payload,
        })
        .loose(),
      // Present in Telnyx's docs example ({attempt, delivered_to}), absent from the SDK types: never rely on it.
      meta: z.record(z.string(), z.unknown()).optional(),
    })
    .loose();
}

export const telnyxEventSchema = telnyxEnvelope(telnyxEventPayloadSchema);

export type TelnyxEvent = z.infer<typeof telnyxEventSchema>;
export type TelnyxEventPayload = z.infer<typeof telnyxEventPayloadSchema>;
