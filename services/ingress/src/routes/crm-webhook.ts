import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { classifyMergeWebhook, deliveryJobId, mergeWebhookSchema, verifyMergeSignature } from '@dda/merge';
import { acceptCrmEvent, enqueue, replicasHold } from '@dda/queues';
import type { AppDeps } from '../app-deps.ts';
import { HttpProblem } from '../plugins/error-handling.ts';
import { acceptRawJson, WEBHOOK_BODY_LIMIT } from '../plugins/raw-json-body.ts';
import { createCrmAccountCheck } from '../crm-account-check.ts';

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'bad_body', 'body is not valid JSON');
  }
}

/**
 * POST /webhooks/crm — Merge deliveries. The signature is checked on the exact bytes received, before any
 * parsing; the job id comes from those bytes, so a redelivery of the same delivery is answered 200 and
 * queues nothing.
 */
export async function crmWebhookRoute(app: FastifyInstance, deps: AppDeps): Promise<void> {
  acceptRawJson(app, 'buffer');
  const accounts = createCrmAccountCheck(deps);
  app.addHook('onClose', async () => accounts.flush());

  app.post(
    '/webhooks/crm',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      // Documentation only: the body is checked by hand on the raw bytes (a body schema would parse it first).
      schema: {
        summary: 'Merge webhook delivery (Opportunity.added/changed/removed, LinkedAccount.sync_completed)',
        description:
          'Signed with `X-Merge-Webhook-Signature` over the exact body. Answers 202 queued/ignored, 200 duplicate or ping, ' +
          '401 missing or bad signature, 400 not JSON or not an envelope, 413 over 1 MiB, 415 not JSON.',
        tags: ['webhooks'],
        security: [{ mergeSignature: [] }],
      },
    },
    async (req, reply) => {
      const raw = req.body as Buffer | undefined;
      if (!Buffer.isBuffer(raw) || raw.length === 0) throw new HttpProblem(400, 'bad_body', 'empty body');
      const header = req.headers['x-merge-webhook-signature'];
      if (typeof header !== 'string' || header === '') {
        throw new HttpProblem(401, 'missing_signature', 'X-Merge-Webhook-Signature header is required');
      }
      if (!verifyMergeSignature(raw, header, deps.config.MERGE_WEBHOOK_SIGNATURE_KEY)) {
        throw new HttpProblem(401, 'bad_signature', 'signature does not match the body');
      }
      const json = parseJson(raw);
      if (isConnectivityPing(json)) return reply.code(200).send({ status: 'ping' });
      const envelope = mergeWebhookSchema.safeParse(json);
      if (!envelope.success) {
        const first = envelope.error.issues[0];
        throw new HttpProblem(
          400,
          'not_an_envelope',
          `not a Merge webhook envelope: ${first?.path.join('.') || '(root)'} ${first?.message ?? ''}`.trim(),
        );
      }
      const intent = classifyMergeWebhook(envelope.data);
      req.logIds.event = envelope.data.hook.event;
      if (intent.kind === 'invalid') throw new HttpProblem(400, 'not_an_envelope', intent.reason);
      if (intent.kind === 'ignored') return reply.code(202).send({ status: 'ignored', event: intent.event });
      const linkedAccountId = envelope.data.linked_account.id;
      req.logIds.linked_account_id = linkedAccountId;
      // No token to read this account's deals with: 202 (Merge would retry a 4xx for ever), logged and counted.
      if (!(await accounts.served(linkedAccountId))) {
        req.logIds.ignored = 'unknown linked account: register it with POST /accounts or set MERGE_ACCOUNT_TOKEN';
        return reply.code(202).send({ status: 'ignored', reason: 'unknown linked account' });
      }

      const receivedAt = new Date().toISOString();
      const jobId =
        intent.kind === 'opportunity'
          ? deliveryJobId(raw, {
              linkedAccountId: envelope.data.linked_account.id,
              event: intent.event,
              opportunityId: intent.opportunityId,
              modifiedAt: intent.modifiedAt,
            })
          : deliveryJobId(raw);
      req.logIds.job_id = jobId;
      if (intent.kind === 'sync_completed' && !intent.opportunitiesDone) {
        return reply.code(202).send({ status: 'ignored', event: envelope.data.hook.event });
      }
      let res;
      if (intent.kind === 'opportunity') {
        req.logIds.deal_id = intent.opportunityId;
        // Into the inbox (packages/queues/src/crm-inbox.ts): one round trip, whatever the burst.
        res = await acceptCrmEvent(
          deps.redis,
          deps.config.REDIS_PREFIX,
          {
            source: 'webhook',
            opportunityId: intent.opportunityId,
            linkedAccountId,
            event: intent.event,
            modifiedAt: intent.modifiedAt,
            receivedAt,
            record: intent.record,
          },
          jobId,
        );
      } else {
        // A finished Merge sync is the cue to run the backstop poll now rather than at its next tick.
        res = await enqueue(
          deps.queues,
          'polls',
          { reason: 'sync_completed' },
          { jobId: `sync-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}` },
        );
      }
      // Under Sentinel the answer waits until REDIS_MIN_REPLICAS_ACK replicas hold the change (WAIT), so a 202
      // survives kill -9 of the master; not in time → 503 and Merge redelivers (packages/queues/src/replica-ack.ts).
      if (!(await replicasHold(deps.redis, deps.config.REDIS_MIN_REPLICAS_ACK))) {
        return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', reason: 'not yet held by a replica, retry later' });
      }
      return res.duplicate
        ? reply.code(200).send({ status: 'duplicate', job_id: res.jobId })
        : reply.code(202).send({ status: 'queued', job_id: res.jobId });
    },
  );
}

/** Merge's dashboard "Send test POST request" carries no envelope. */
function isConnectivityPing(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    !('hook' in json) &&
    typeof (json as { response?: unknown }).response === 'string'
  );
}
