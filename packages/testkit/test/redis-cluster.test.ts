import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { startRedisCluster, type RedisCluster } from '../src/index.ts';

// The three-master cluster the Cluster topology's tests run on, and the rule its key names must follow.
let cluster: RedisCluster;
let client: Cluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
  client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
}, 60_000);
afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

describe('startRedisCluster', () => {
  it('starts three masters that share the 16384 slots', async () => {
    expect(cluster.ports).toHaveLength(3);
    const slots = (await client.cluster('SLOTS')) as [number, number, ...unknown[]][];
    expect(slots.reduce((n, [from, to]) => n + to - from + 1, 0)).toBe(16384);
    expect(new Set(slots.map((s) => JSON.stringify(s[2]))).size).toBe(3);
  });

  it('refuses a script over keys of different slots and runs it when a hash tag puts them in one', async () => {
    const script = "redis.call('SET', KEYS[1], '1'); redis.call('SET', KEYS[2], '1'); return 1";
    await expect(client.eval(script, 2, 'dda:alert:1', 'dda:alert:2')).rejects.toThrow(/CROSSSLOT/);
    expect(await client.eval(script, 2, '{dda:alert:1}:record', '{dda:alert:1}:timeline')).toBe(1);
  });
});
