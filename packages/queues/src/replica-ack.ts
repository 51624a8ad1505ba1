import type { Redis } from 'ioredis';

/**
 * Under Sentinel a write the master acknowledged can still be lost if the master dies before a replica has
 * it: the promoted replica never saw it. WAIT holds the answer until `replicas` replicas hold every write
 * this connection sent so far, so a 202 means the change survives `kill -9` of the master. Fewer in time
 * throws: the caller answers 503 and the sender redelivers (a redelivery of a change that did survive is
 * then recognised as a duplicate).
 */
export async function waitForReplicas(redis: Redis, replicas: number, timeoutMs = 1000): Promise<void> {
  if (replicas <= 0) return;
  const acked = await redis.wait(replicas, timeoutMs);
  if (acked < replicas) throw new ReplicaAckError(acked, replicas);
}

export class ReplicaAckError extends Error {
  override name = 'ReplicaAckError';
  readonly acked: number;
  readonly wanted: number;
  constructor(acked: number, wanted: number) {
    super(`${acked} of ${wanted} replicas acknowledged the write in time`);
    this.acked = acked;
    this.wanted = wanted;
  }
}
