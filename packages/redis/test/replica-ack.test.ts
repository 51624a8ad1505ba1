import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startOwnRedis, type OwnRedis } from '@dda/testkit';
import { replicasHold } from '../src/index.ts';

// A master and a replica of its own (real redis-servers): WAIT is what makes a 202 survive losing the master.
let master: OwnRedis;
let replica: OwnRedis;
let m: Redis;
let r: Redis;
beforeAll(async () => {
  [master, replica] = await Promise.all([startOwnRedis(), startOwnRedis()]);
  m = new Redis(master.url);
  r = new Redis(replica.url);
  await r.replicaof('127.0.0.1', String(master.port));
  while (!/master_link_status:up/.test(await r.info('replication'))) await sleep(50);
}, 60_000);
afterAll(async () => {
  m?.disconnect();
  r?.disconnect();
  await Promise.all([master?.stop(), replica?.stop()]);
});

describe('replicasHold (WAIT)', () => {
  it('is true once the replica holds the write, and the replica then has it', async () => {
    await m.set('ack:one', 'x');
    // A generous bound: a two-core machine shared with other suites can be slow to answer.
    expect(await replicasHold(m, 1, 5000)).toBe(true);
    expect(await r.get('ack:one')).toBe('x');
  });

  it('is false when fewer replicas than asked hold it in time; 0 asks nothing', async () => {
    await m.set('ack:two', 'x');
    const t0 = Date.now();
    expect(await replicasHold(m, 2, 300)).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await replicasHold(m, 0)).toBe(true);
  });
});
