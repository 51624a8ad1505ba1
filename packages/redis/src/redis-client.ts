import type { Cluster, Redis, RedisOptions } from 'ioredis';

/**
 * A connection to our Redis, whatever its topology: one node or a Sentinel-followed master (`Redis`), or a
 * Redis Cluster (`Cluster`). Both speak the same commands; what differs (a SCAN reaches one node, a
 * duplicate takes other arguments) goes through the functions below.
 */
export type RedisClient = Redis | Cluster;

/** Another connection to the same place, e.g. one a subscriber or a blocking read can own. */
export function duplicateClient(client: RedisClient, overrides: Partial<RedisOptions> = {}): RedisClient {
  if (!client.isCluster) return (client as Redis).duplicate(overrides);
  const cluster = client as Cluster;
  const { enableOfflineQueue, ...rest } = overrides;
  return cluster.duplicate(undefined, {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    redisOptions: { ...cluster.options.redisOptions, ...rest },
  });
}

/** The nodes that hold keys: the one node, or every master of a Cluster (a SCAN sees one node's keys only). */
export function keyHoldingNodes(client: RedisClient): Redis[] {
  return client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
}
