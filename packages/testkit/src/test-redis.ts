import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { GenericContainer, type StartedTestContainer } from 'testcontainers';

let container: StartedTestContainer | undefined;
let sharedUrl: string | undefined;

/**
 * A real Redis for tests: REDIS_URL when the runner provides one (npm test starts a throwaway server),
 * otherwise a testcontainers Redis with the same persistence settings as production.
 */
export async function testRedisUrl(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  if (sharedUrl) return sharedUrl;
  container = await new GenericContainer('redis:7-alpine')
    .withCommand(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction'])
    .withExposedPorts(6379)
    .start();
  sharedUrl = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  return sharedUrl;
}

/** Each test gets its own key prefix, so suites share one server without seeing each other's data. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

export async function connectTestRedis(): Promise<Redis> {
  return new Redis(await testRedisUrl(), { maxRetriesPerRequest: null });
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
