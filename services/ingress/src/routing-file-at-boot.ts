import { once } from 'node:events';
import type { RedisClient } from '@dda/redis';
import type { Logger } from '@dda/logger';
import { loadRoutingFile, type RoutingStore } from '@dda/routing';

/**
 * ROUTING_FILE for people who keep routing in git: read and checked at boot (a file with problems stops the
 * ingress, naming each), then stored as a new version when the file changed since it was last applied.
 * Returns the step that stores it, to run once Redis is connected (the ingress's connection queues nothing).
 */
export function routingFileAtBoot(store: RoutingStore, redis: RedisClient, file: string, log: Logger): () => Promise<void> {
  const { routing, text } = loadRoutingFile(file);
  return async () => {
    if (redis.status !== 'ready')
      await Promise.race([
        once(redis, 'ready'),
        once(redis, 'end').then(() => Promise.reject(new Error('Redis connection ended before ROUTING_FILE could be stored'))),
      ]);
    const applied = await store.applyFile(routing, text);
    log.info(
      { routing_version: applied.version, changed: applied.changed, file },
      applied.skipped ? 'ROUTING_FILE unchanged since last applied' : 'ROUTING_FILE applied',
    );
  };
}
