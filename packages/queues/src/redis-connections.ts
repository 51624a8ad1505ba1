import { Redis, type RedisOptions } from 'ioredis';
import { connectOptions } from './redis-topology.ts';

/*
 * `address` is config.REDIS_URL: one node's URL, or under Sentinel the redis-sentinel:// address Config builds
 * (redis-topology.ts), so services wire their connections the same way whatever the topology.
 */
function connect(address: string, options: RedisOptions): Redis {
  const target = connectOptions(address);
  const merged = { ...target.options, ...options };
  return target.url ? new Redis(target.url, merged) : new Redis(merged);
}

/** Producers fail fast: with no offline queue a Redis outage (or a failover in progress) becomes a 503, not a hanging request. */
export function createProducerConnection(url: string, extra: RedisOptions = {}): Redis {
  // Auto-pipelining batches the few commands each webhook sends into one socket write under load.
  return connect(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, enableAutoPipelining: true, ...extra });
}

/** Workers wait: BullMQ needs maxRetriesPerRequest null so a Redis blip never kills the worker loop. */
export function createWorkerConnection(url: string, extra: RedisOptions = {}): Redis {
  return connect(url, { maxRetriesPerRequest: null, ...extra });
}
