import { z } from 'zod';
import { telnyxEnvelope } from './telnyx-event.ts';

/**
 * A messaging webhook (`message.sent`, `message.finalized`): the same envelope and signature as Call
 * Control's, with the message as the payload (docs/vendor-facts.md, Telnyx Messaging). Only what the delivery record reads is checked:
 * the message id, the recipient's status, and the errors Telnyx names.
 */
export const telnyxMessageEventSchema = telnyxEnvelope(
  z
    .object({
      id: z.string().min(1).max(200),
      to: z.array(z.object({ status: z.string().min(1).max(100) }).loose()).min(1),
      errors: z
        .array(
          z
            .object({
              code: z.union([z.string(), z.number()]).optional(),
              title: z.string().optional(),
              detail: z.string().optional(),
            })
            .loose(),
        )
        .optional(),
    })
    .loose(),
  // Whether messaging events always carry occurred_at is unconfirmed (no fixture): not required.
  z.string().min(1).max(100).optional(),
);

export type TelnyxMessageEvent = z.infer<typeof telnyxMessageEventSchema>;
