import { Redis, type RedisOptions } from 'ioredis';

/** Producers fail fast: with no offline queue a Redis outage becomes a 503, not a hanging request. */
export function createProducerConnection(url: string, extra: RedisOptions = {}): Redis {
  // Auto-pipelining batches the few commands each webhook sends into one socket write under load.
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, enableAutoPipelining: true, ...extra });
}

/** Workers wait: BullMQ needs maxRetriesPerRequest null so a Redis blip never kills the worker loop. */
export function createWorkerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, ...extra });
}
