import type { FastifyInstance } from 'fastify';
import { recordDelivery } from '@dda/follow-ups';
import { telnyxMessageEventSchema } from '@dda/telnyx';
import type { AppDeps } from '../app-deps.ts';
import { acceptRawJson, WEBHOOK_BODY_LIMIT } from '../plugins/raw-json-body.ts';
import { telnyxSignedBody } from '../telnyx-signed-body.ts';

/**
 * POST /webhooks/messaging — delivery events of our follow-up texts (`message.sent`, `message.finalized`),
 * signed like voice events. Recording one is a single Redis write, done before the answer: a 200 means it
 * is on the alert's timeline, and a Redis outage answers 503 so Telnyx sends it again. A message we did not
 * send (or whose send went unanswered) is answered 200 and only logged.
 */
export async function messagingWebhookRoute(app: FastifyInstance, deps: AppDeps): Promise<void> {
  acceptRawJson(app, 'buffer');
  app.post(
    '/webhooks/messaging',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      schema: {
        summary: 'Telnyx messaging event (delivery of a follow-up text)',
        description:
          'Ed25519-signed like /webhooks/voice. Answers 200 `recorded`, `duplicate` or `ignored` (not a text of ours); ' +
          '401 missing headers, bad signature or stale timestamp; 400 malformed.',
        tags: ['webhooks'],
        security: [{ telnyxSignature: [] }],
      },
    },
    async (req, reply) => {
      const event = await telnyxSignedBody(req, deps.config.TELNYX_PUBLIC_KEY, telnyxMessageEventSchema);
      const data = event.data;
      req.logIds.event = data.event_type;
      req.logIds.event_id = data.id;
      const message = data.payload;
      const error = message.errors?.[0];
      const result = await recordDelivery(
        { redis: deps.redis, prefix: deps.config.REDIS_PREFIX, alerts: deps.alerts },
        {
          id: data.id,
          messageId: message.id,
          status: message.to[0]!.status,
          error: error ? [error.code, error.title ?? error.detail].filter(Boolean).join(' ') || null : null,
        },
      );
      if (result.recorded) req.logIds.alert_id = result.alertId;
      return reply.code(200).send({ status: result.recorded ? 'recorded' : result.reason === 'duplicate' ? 'duplicate' : 'ignored' });
    },
  );
}
