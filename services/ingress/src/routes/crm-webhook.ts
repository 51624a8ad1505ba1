import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { classifyMergeWebhook, deliveryJobId, mergeWebhookSchema, verifyMergeSignature } from '@dda/merge';
import { createCrmIntake, enqueue } from '@dda/queues';
import { replicasHold } from '@dda/redis';
import type { AppDeps } from '../app-deps.ts';
import { HttpProblem } from '../plugins/error-handling.ts';
import { acceptRawJson, WEBHOOK_BODY_LIMIT } from '../plugins/raw-json-body.ts';
import { createCrmAccountCheck } from '../crm-account-check.ts';
import { createRecentDeliveries } from '../recent-deliveries.ts';

/** The change is written but fewer replicas than REDIS_MIN_REPLICAS_ACK hold it yet. */
class NotYetHeld extends Error {
  override name = 'NotYetHeld';
}

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
  // Ten minutes and 50,000 ids (a few MiB): Merge's redeliveries of one change come within minutes.
  const recent = createRecentDeliveries({ max: 50_000, ttlMs: 10 * 60_000 });
  const intake = createCrmIntake({ redis: deps.redis, prefix: deps.config.REDIS_PREFIX });
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
      // Accepted means durable: in Redis and, under Sentinel, held by REDIS_MIN_REPLICAS_ACK replicas (WAIT), so a
      // 202 survives kill -9 of the master; not in time → 503 and Merge redelivers (packages/queues/src/replica-ack.ts).
      const durable = async <R>(write: () => Promise<R>): Promise<R> => {
        const written = await write();
        if (!(await replicasHold(deps.redis, deps.config.REDIS_MIN_REPLICAS_ACK))) throw new NotYetHeld();
        return written;
      };
      let res: { duplicate: boolean };
      let answeredId = jobId;
      try {
        if (intent.kind === 'opportunity') {
          req.logIds.deal_id = intent.opportunityId;
          const change = {
            source: 'webhook' as const,
            opportunityId: intent.opportunityId,
            linkedAccountId,
            event: intent.event,
            modifiedAt: intent.modifiedAt,
            receivedAt,
            record: intent.record,
          };
          // Into the inbox (packages/queues/src/crm-inbox.ts): one script call per event-loop turn, shared by the
          // deliveries of that turn; a copy this ingress accepted moments ago is known without one
          // (recent-deliveries.ts).
          res = await recent.acceptOnce(jobId, () => durable(() => intake.accept(change, jobId)));
        } else {
          // A finished Merge sync is the cue to run the backstop poll now rather than at its next tick.
          answeredId = `sync-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
          const pollId = answeredId;
          res = await durable(() => enqueue(deps.queues, 'polls', { reason: 'sync_completed' }, { jobId: pollId }));
        }
      } catch (err) {
        if (!(err instanceof NotYetHeld)) throw err;
        return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', reason: 'not yet held by a replica, retry later' });
      }
      return res.duplicate
        ? reply.code(200).send({ status: 'duplicate', job_id: answeredId })
        : reply.code(202).send({ status: 'queued', job_id: answeredId });
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
