import type { RedisClient } from './redis-client.ts';

/**
 * Under Sentinel a write the master acknowledged can still be lost if the master dies before a replica has
 * it: the promoted replica never saw it. WAIT holds the answer until `replicas` replicas hold every write
 * this connection sent so far (one WAIT covers all earlier writes on the connection, so concurrent requests
 * sharing it mostly find their write already acknowledged). False when fewer did within `timeoutMs`: the
 * caller answers 503 and the sender redelivers; a redelivery of a change that did survive is then a duplicate.
 */
export async function replicasHold(redis: RedisClient, replicas: number, timeoutMs = 1000): Promise<boolean> {
  if (replicas <= 0) return true;
  return (await redis.wait(replicas, timeoutMs)) >= replicas;
}
