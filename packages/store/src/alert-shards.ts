import { createHash } from 'node:crypto';

/**
 * A deal, its snapshots and every alert it raises live in one of sixteen shards, each its own hash tag: under
 * Redis Cluster a sighting and the alert it creates are still one script, and the shards spread over the
 * masters. An alert id ends with its shard's digit, so an id alone finds the alert's keys. Sixteen is fixed
 * for good: changing it would move every deal's snapshot.
 */
export const ALERT_SHARDS: readonly string[] = Array.from({ length: 16 }, (_, i) => i.toString(16));

export function dealShard(dealId: string): string {
  return createHash('sha1').update(dealId).digest('hex').charAt(0);
}

/** `newId('al')` with the shard's digit appended: ids still sort by creation time. */
export function shardedAlertId(id: string, shard: string): string {
  return `${id}${shard}`;
}

export function alertShard(alertId: string): string {
  const last = alertId.at(-1) ?? '0';
  return /[0-9a-f]/.test(last) ? last : '0';
}
