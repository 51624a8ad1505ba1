import { isUtf8 } from 'node:buffer';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { verifyTelnyxWebhook } from '@dda/telnyx';
import { HttpProblem } from './plugins/error-handling.ts';

const STATUS = { missing_headers: 401, bad_signature: 401, stale_timestamp: 401, malformed: 400 } as const;

/**
 * A Telnyx webhook's envelope once its signature holds (voice and messaging are signed alike), or the
 * refusal as an HttpProblem. The body is taken as bytes. The SDK verifies a string, so only a body that is
 * valid UTF-8 goes on: its string encodes back to exactly the bytes received, so the signature is checked
 * over what was sent (a decoder would turn different invalid bytes into the same U+FFFD and let altered
 * bytes verify).
 */
export async function telnyxSignedBody<S extends z.ZodType>(req: FastifyRequest, key: string | undefined, schema: S): Promise<z.infer<S>> {
  if (!key) throw new HttpProblem(401, 'not_configured', 'TELNYX_PUBLIC_KEY is not set; Telnyx webhooks cannot be verified');
  const bytes = req.body;
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new HttpProblem(400, 'bad_body', 'empty body');
  if (!isUtf8(bytes)) throw new HttpProblem(400, 'bad_body', 'body is not valid UTF-8');
  const verdict = await verifyTelnyxWebhook(bytes.toString('utf8'), req.headers, key, schema);
  if (!verdict.ok) throw new HttpProblem(STATUS[verdict.reason], verdict.reason, `webhook refused: ${verdict.reason.replace('_', ' ')}`);
  return verdict.event;
}
