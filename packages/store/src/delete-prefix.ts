import type { RedisClient } from '@dda/redis';

/** Removes every key of one deployment prefix (sandbox restarts, test clean-up); SCAN keeps Redis responsive. */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
