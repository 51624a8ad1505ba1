import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { verifyTelnyxWebhook } from '@dda/telnyx';
import { enqueue } from '@dda/queues';
import type { AppDeps } from '../app-deps.ts';
import { HttpProblem } from '../plugins/error-handling.ts';
import { acceptRawJson, WEBHOOK_BODY_LIMIT } from '../plugins/raw-json-body.ts';
import { jobPayloadOf } from '../telnyx-job-payload.ts';

const STATUS = { missing_headers: 401, bad_signature: 401, stale_timestamp: 401, malformed: 400 } as const;

/**
 * POST /webhooks/voice — Telnyx Call Control events. Verified with the official SDK on the raw bytes
 * (Ed25519 over `timestamp|body`, 300 s window), queued under the event id, answered 200 at once: the
 * call-worker does the thinking, so Telnyx never waits on us and never fails over.
 *
 * The body is taken as bytes. The SDK verifies a string, so only a body that is valid UTF-8 goes on: its
 * string encodes back to exactly the bytes received, so the signature is checked over what was sent (a
 * decoder would turn different invalid bytes into the same U+FFFD and let altered bytes verify).
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
      const key = deps.config.TELNYX_PUBLIC_KEY;
      if (!key) throw new HttpProblem(401, 'not_configured', 'TELNYX_PUBLIC_KEY is not set; voice webhooks cannot be verified');
      const bytes = req.body;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new HttpProblem(400, 'bad_body', 'empty body');
      if (!isUtf8(bytes)) throw new HttpProblem(400, 'bad_body', 'body is not valid UTF-8');
      const verdict = await verifyTelnyxWebhook(bytes.toString('utf8'), req.headers, key);
      if (!verdict.ok)
        throw new HttpProblem(STATUS[verdict.reason], verdict.reason, `webhook refused: ${verdict.reason.replace('_', ' ')}`);
      const data = verdict.event.data;
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
          payload: await jobPayloadOf(deps.redis, deps.queues, jobId, data.payload),
          receivedAt: new Date().toISOString(),
        },
        { jobId },
      );
      return reply.code(200).send({ status: res.duplicate ? 'duplicate' : 'queued' });
    },
  );
}
