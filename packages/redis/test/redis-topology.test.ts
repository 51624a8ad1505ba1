import { describe, expect, it } from 'vitest';
import { connectOptions, parseRedisAddress } from '../src/index.ts';

describe('redis addresses', () => {
  it('a redis:// URL is one node, passed to ioredis as it is', () => {
    expect(parseRedisAddress('rediss://u:p@h:6380/1')).toEqual({ kind: 'node', url: 'rediss://u:p@h:6380/1' });
    expect(connectOptions('redis://h:6379')).toEqual({ url: 'redis://h:6379', options: {} });
  });

  it('a redis-sentinel:// address becomes ioredis Sentinel options that follow the master', () => {
    expect(parseRedisAddress('redis-sentinel://a:26379,[::1]:26380/dda')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'a', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      master: 'dda',
    });
    const { url, options } = connectOptions('redis-sentinel://a:26379/dda');
    expect(url).toBeUndefined();
    expect(options).toMatchObject({ sentinels: [{ host: 'a', port: 26379 }], name: 'dda', role: 'master' });
    expect(options.reconnectOnError?.(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(options.reconnectOnError?.(new Error('ERR wrong number of arguments'))).toBe(false);
  });

  it('a redis-cluster:// address lists the nodes the client starts from', () => {
    expect(parseRedisAddress('redis-cluster://a:7000,[::1]:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: '::1', port: 7001 },
      ],
    });
    expect(() => parseRedisAddress('redis-cluster://a')).toThrowError(/host:port/);
  });

  it('refuses a sentinel that is not host:port', () => {
    expect(() => parseRedisAddress('redis-sentinel://a/dda')).toThrowError(/host:port/);
  });
});
