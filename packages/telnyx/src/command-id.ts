import { createHash } from 'node:crypto';

/**
 * Telnyx ignores a repeated command_id on the same call for 60 s (and a repeated dial command_id).
 * Deriving it from (callId, step) means an SDK retry, a redelivered webhook or a re-run job all send the
 * same id, so the command is carried out once. Shaped like a UUID (version 5 bits, RFC 4122 variant)
 * built from SHA-256, because Telnyx's examples are UUIDs.
 */
export function commandId(callId: string, step: string): string {
  const h = createHash('sha256').update('dda-telnyx-command\0').update(callId).update('\0').update(step).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
