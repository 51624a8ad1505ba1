import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.ts';

// README: high availability: exactly one of REDIS_URL, or REDIS_SENTINELS with REDIS_SENTINEL_MASTER.
describe('the Redis topology in the configuration', () => {
  it('one node: REDIS_URL as given, no replica acknowledgement asked', () => {
    const c = loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379/2' });
    expect(c.REDIS_URL).toBe('redis://10.0.0.5:6379/2');
    expect(c.REDIS_MIN_REPLICAS_ACK).toBe(0);
  });

  it('Sentinel: a redis-sentinel:// address for the connection factories, one replica acknowledgement by default', () => {
    const c = loadConfig({ REDIS_SENTINELS: 's1:26379, s2:26379,s3:26380', REDIS_SENTINEL_MASTER: 'dda' });
    expect(c.REDIS_URL).toBe('redis-sentinel://s1:26379,s2:26379,s3:26380/dda');
    expect(c.REDIS_MIN_REPLICAS_ACK).toBe(1);
    expect(
      loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_MASTER: 'dda', REDIS_MIN_REPLICAS_ACK: '0' }).REDIS_MIN_REPLICAS_ACK,
    ).toBe(0);
    expect(
      loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_MASTER: 'dda', REDIS_MIN_REPLICAS_ACK: '2' }).REDIS_MIN_REPLICAS_ACK,
    ).toBe(2);
  });

  it('refuses none, both, or half of Sentinel, naming the variable', () => {
    expect(() => loadConfig({})).toThrowError(
      /REDIS_URL: required \(or REDIS_SENTINELS with REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES\)/,
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_MASTER: 'dda' })).toThrowError(
      /set one of/,
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'c1:7000' })).toThrowError(/set one of/);
    expect(() => loadConfig({ REDIS_SENTINELS: 's1:26379' })).toThrowError(/REDIS_SENTINEL_MASTER: required/);
    expect(() => loadConfig({ REDIS_SENTINEL_MASTER: 'dda' })).toThrowError(/REDIS_SENTINELS: required/);
    expect(() => loadConfig({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_MASTER: 'dda' })).toThrowError(/REDIS_SENTINELS/);
    expect(() => loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_MASTER: 'a b' })).toThrowError(/REDIS_SENTINEL_MASTER/);
  });

  it('REDIS_CLUSTER_NODES: a redis-cluster:// address of the nodes, and no WAIT asked', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: 'c1:7000,c2:7001' });
    expect(c.REDIS_URL).toBe('redis-cluster://c1:7000,c2:7001');
    expect(c.REDIS_MIN_REPLICAS_ACK).toBe(0);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'c1' })).toThrowError(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'c1:7000', REDIS_MIN_REPLICAS_ACK: '1' })).toThrowError(
      /REDIS_MIN_REPLICAS_ACK: not supported with REDIS_CLUSTER_NODES/,
    );
  });
});
