import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '@dda/store';
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

/** Test clean-up: the same prefix deletion the sandbox launcher uses. */
export const deleteKeys = deleteKeysWithPrefix;
