import type { RedisOptions } from 'ioredis';

/*
 * Where Redis is, as one string every service passes to its connection factory. Config (load-config.ts) builds
 * it from exactly one of REDIS_URL, REDIS_SENTINELS + REDIS_SENTINEL_MASTER or REDIS_CLUSTER_NODES, so the
 * services' wiring does not change with the topology:
 *   redis://[user:pass@]host:port[/db]  (and rediss://)  one node, as ioredis reads it
 *   redis-sentinel://host:port,host:port/<master name>  a master found, and followed, through Sentinel
 *   redis-cluster://host:port,host:port                 some nodes of a Redis Cluster; the client finds the rest
 */
type HostPort = { host: string; port: number };
export type RedisTopology =
  | { kind: 'node'; url: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; master: string }
  | { kind: 'cluster'; nodes: HostPort[] };

const SENTINEL = /^redis-sentinel:\/\/([^/]+)\/(.+)$/;
const CLUSTER = /^redis-cluster:\/\/([^/]+)\/?$/;

function hostPorts(list: string, what: string): HostPort[] {
  return list.split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    const port = Number(hp.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port)) throw new Error(`not a host:port in a ${what} address: ${hp}`);
    return { host: hp.slice(0, i).replace(/^\[|\]$/g, ''), port };
  });
}

export function parseRedisAddress(address: string): RedisTopology {
  const c = CLUSTER.exec(address);
  if (c) return { kind: 'cluster', nodes: hostPorts(c[1]!, 'cluster') };
  const m = SENTINEL.exec(address);
  if (!m) return { kind: 'node', url: address };
  return { kind: 'sentinel', sentinels: hostPorts(m[1]!, 'sentinel'), master: m[2]! };
}

/**
 * ioredis options that reach the address. Under Sentinel a connection asks the sentinels for the master on
 * every (re)connect, checks the node it reached really is the master, and drops a connection that answers
 * READONLY (the old master came back as a replica), so clients follow a failover without a restart.
 */
export function connectOptions(address: string): { url?: string; options: RedisOptions } {
  const t = parseRedisAddress(address);
  if (t.kind === 'node') return { url: t.url, options: {} };
  if (t.kind === 'cluster')
    throw new Error('a redis-cluster:// address is reached through createProducerConnection/createWorkerConnection');
  return {
    options: {
      sentinels: t.sentinels,
      name: t.master,
      role: 'master',
      // Not ioredis's failoverDetector: a +switch-master that arrives while the client is already reconnecting
      // makes ioredis give the connection up for good ("Connection is closed." from then on; seen in the
      // failover test). A dead master closes our sockets anyway, and a demoted live one answers READONLY.
      reconnectOnError: (err) => err.message.startsWith('READONLY'),
      // Until the sentinels agree on a new master they keep naming the dead one; keep asking, briefly apart.
      sentinelRetryStrategy: (times) => Math.min(times * 100, 1000),
    },
  };
}
