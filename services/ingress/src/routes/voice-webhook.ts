import type { FastifyInstance } from 'fastify';
import { telnyxEventSchema } from '@dda/telnyx';
import { enqueue } from '@dda/queues';
import type { AppDeps } from '../app-deps.ts';
import { acceptRawJson, WEBHOOK_BODY_LIMIT } from '../plugins/raw-json-body.ts';
import { jobPayloadOf } from '../telnyx-job-payload.ts';
import { telnyxSignedBody } from '../telnyx-signed-body.ts';

/**
 * POST /webhooks/voice — Telnyx Call Control events. Verified with the official SDK on the raw bytes
 * (Ed25519 over `timestamp|body`, 300 s window), queued under the event id, answered 200 at once: the
 * call-worker does the thinking, so Telnyx never waits on us and never fails over.
 * The job keeps only the payload fields the call-worker reads (telnyx-job-payload.ts): no phone numbers.
 */
export async function voiceWebhookRoute(app: FastifyInstance, deps: AppDeps): Promise<void> {
  acceptRawJson(app, 'buffer');

  app.post(
    '/webhooks/voice',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      // Documentation only: the signature is checked on the raw body before anything parses it.
      schema: {
        summary: 'Telnyx Call Control event',
        description:
          'Ed25519-signed (`telnyx-signature-ed25519`, `telnyx-timestamp`, 300 s window). Answers 200 at once once verified ' +
          '(queued or duplicate); 401 missing headers, bad signature or stale timestamp; 400 malformed.',
        tags: ['webhooks'],
        security: [{ telnyxSignature: [] }],
      },
    },
    async (req, reply) => {
      const event = await telnyxSignedBody(req, deps.config.TELNYX_PUBLIC_KEY, telnyxEventSchema);
      const data = event.data;
      req.logIds.event = data.event_type;
      req.logIds.event_id = data.id;
      const jobId = `tx-${data.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const res = await enqueue(
        deps.queues,
        'call-events',
        {
          eventId: data.id,
          eventType: data.event_type,
          occurredAt: data.occurred_at,
          payload: await jobPayloadOf(deps.redis, deps.queues, jobId, data.payload, { pin: deps.config.INBOUND_PIN }),
          receivedAt: new Date().toISOString(),
        },
        { jobId },
      );
      return reply.code(200).send({ status: res.duplicate ? 'duplicate' : 'queued' });
    },
  );
}
