import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { connectOptions, parseRedisAddress } from './redis-topology.ts';
import type { RedisClient } from './redis-client.ts';

/*
 * `address` is config.REDIS_URL: one node's URL, or the redis-sentinel:// or redis-cluster:// address Config
 * builds (redis-topology.ts), so services wire their connections the same way whatever the topology.
 */
function connect(address: string, options: RedisOptions): RedisClient {
  const t = parseRedisAddress(address);
  if (t.kind === 'cluster') {
    // The queueing and pipelining choices are the Cluster's own; per-node settings go to every node it opens.
    const { enableOfflineQueue, enableAutoPipelining, ...redisOptions } = options;
    return new Cluster(t.nodes, {
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
      ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
      redisOptions,
    });
  }
  const target = connectOptions(address);
  const merged = { ...target.options, ...options };
  return target.url ? new Redis(target.url, merged) : new Redis(merged);
}

/** Producers fail fast: with no offline queue a Redis outage (or a failover in progress) becomes a 503, not a hanging request. */
export function createProducerConnection(url: string, extra: RedisOptions = {}): RedisClient {
  // Auto-pipelining batches the few commands each webhook sends into one socket write under load.
  return connect(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, enableAutoPipelining: true, ...extra });
}

/** Workers wait: BullMQ needs maxRetriesPerRequest null so a Redis blip never kills the worker loop. */
export function createWorkerConnection(url: string, extra: RedisOptions = {}): RedisClient {
  return connect(url, { maxRetriesPerRequest: null, ...extra });
}
