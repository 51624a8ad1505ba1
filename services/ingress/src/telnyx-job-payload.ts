import { timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '@dda/redis';
import type { Queues } from '@dda/queues';

/**
 * What a call-events job keeps of a Telnyx payload: only the fields the call-worker reads
 * (packages/calls: telnyx-to-call-event.ts, apply-call-event.ts, call-failures.ts). Telnyx payloads also carry
 * both parties' phone numbers, SIP details and more; none of it is needed, so none of it is stored.
 *
 * A transcript is needed once, by the worker, which puts it on the alert timeline. It is not put in the job
 * (finished jobs are kept an hour): it waits under its own key, named in the job, and the worker deletes
 * the key once the words are on the timeline (a day's expiry covers a job that never ran).
 */
const KEPT = [
  'call_control_id',
  'client_state',
  'hangup_cause',
  'status',
  'digit',
  'result',
  'direction',
  'shaken_stir_attestation',
  'shaken_stir_validated',
] as const;
export const TRANSCRIPT_TTL_SECONDS = 24 * 3600;
/** A caller's number is read by the call-worker within moments of the call.initiated; an hour covers a backlog. */
export const CALLER_TTL_SECONDS = 3600;

/**
 * Keys of a gather: a menu choice (one key) is kept. Several keys are a PIN: it is compared here with
 * INBOUND_PIN and only whether it matched goes on, so the PIN is never written to Redis.
 */
function gatherDigits(digits: unknown, pin: string | undefined): Record<string, unknown> {
  if (typeof digits !== 'string') return {};
  if (digits.length <= 1) return { digits };
  const a = Buffer.from(digits);
  const b = Buffer.from(pin ?? '');
  return { pin_ok: pin !== undefined && a.length === b.length && timingSafeEqual(a, b) };
}

export async function jobPayloadOf(
  redis: RedisClient,
  queues: Queues,
  jobId: string,
  payload: Record<string, unknown> | null | undefined,
  opts: { pin?: string | undefined } = {},
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (!payload) return out;
  for (const k of KEPT) if (payload[k] !== undefined) out[k] = payload[k];
  Object.assign(out, gatherDigits(payload['digits'], opts.pin));
  // Who calls us back is needed once, to know whether it is a recipient: under its own key, like a transcript.
  if (payload['direction'] === 'incoming' && typeof payload['from'] === 'string') {
    const key = `${queues.byName['call-events'].qualifiedName}:caller:${jobId}`;
    await redis.set(key, payload['from'], 'EX', CALLER_TTL_SECONDS);
    out['caller_key'] = key;
  }
  const t = payload['transcription_data'];
  if (t && typeof t === 'object') {
    const { transcript, is_final } = t as { transcript?: unknown; is_final?: unknown };
    const data: Record<string, unknown> = { is_final };
    // Interim results are never acted on (telnyx-to-call-event.ts), so they are not kept at all.
    if (typeof transcript === 'string' && is_final !== false) {
      const key = `${queues.byName['call-events'].qualifiedName}:transcript:${jobId}`;
      await redis.set(key, transcript, 'EX', TRANSCRIPT_TTL_SECONDS);
      data['transcript_key'] = key;
    }
    out['transcription_data'] = data;
  }
  return out;
}
