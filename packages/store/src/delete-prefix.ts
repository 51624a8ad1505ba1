import { keyHoldingNodes, type RedisClient } from '@dda/redis';

/**
 * Removes every key of one deployment prefix (sandbox restarts, test clean-up); SCAN keeps Redis responsive.
 * Under Redis Cluster each master is scanned, and keys go one DEL each: a DEL of several refuses keys of
 * different slots.
 */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<void> {
  for (const node of keyHoldingNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) {
        const pipe = node.pipeline();
        for (const key of keys) pipe.del(key);
        await pipe.exec();
      }
      cursor = next;
    } while (cursor !== '0');
  }
}
