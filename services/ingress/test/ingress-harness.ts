import { Writable } from 'node:stream';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RedisClient } from '@dda/redis';
import { loadConfig, type Config } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createMergeClient } from '@dda/merge';
import { closeQueues, createQueues, type Queues } from '@dda/queues';
import { createProducerConnection } from '@dda/redis';
import { createAlertsRepository } from '@dda/store';
import { deleteKeys, freePort, startService, testRedisUrl, uniquePrefix, type ServiceProcess } from '@dda/testkit';
import { buildApp } from '../src/build-app.ts';

export const API_TOKEN = 'test-token-0123456789abcdef';
export const MERGE_KEY = 'test_merge_webhook_signature_key';

export type Harness = {
  app: FastifyInstance;
  config: Config;
  redis: RedisClient;
  queues: Queues;
  logs: string[];
  routes: RouteOptions[];
  close: () => Promise<void>;
};

/** The real ingress app on a real Redis, isolated by key prefix; logs are captured for assertions. */
export async function startIngress(env: Record<string, string> = {}): Promise<Harness> {
  const prefix = uniquePrefix('ingress');
  const config = loadConfig({
    REDIS_URL: await testRedisUrl(),
    REDIS_PREFIX: prefix,
    API_TOKEN,
    MERGE_WEBHOOK_SIGNATURE_KEY: MERGE_KEY,
    MERGE_BASE_URL: 'http://127.0.0.1:9/api',
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const log = createLogger({
    service: 'ingress',
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const redis = createProducerConnection(config.REDIS_URL);
  await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
  const queues = createQueues(redis, prefix);
  const merge = createMergeClient({ baseUrl: config.MERGE_BASE_URL, apiKey: 'k', accountToken: 't', maxRetries: 0, timeoutMs: 500 });
  const routes: RouteOptions[] = [];
  const app = await buildApp(
    { config, log, redis, queues, alerts: createAlertsRepository(redis, prefix), merge },
    { onRoute: (r) => routes.push(r) },
  );
  await app.ready();
  return {
    app,
    config,
    redis,
    queues,
    logs,
    routes,
    close: async () => {
      await app.close();
      await closeQueues(queues);
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
}

/**
 * The real ingress as its own process (its own event loop, as in production): for tests of what a client
 * sees on the wire — races between an early answer and an upload, crashes, hostile input.
 */
export async function startIngressProcess(
  label: string,
  env: Record<string, string> = {},
): Promise<{ ingress: ServiceProcess; base: string }> {
  const port = await freePort();
  const ingress = startService('ingress', {
    REDIS_URL: await testRedisUrl(),
    REDIS_PREFIX: uniquePrefix(label),
    PORT: String(port),
    API_TOKEN,
    MERGE_WEBHOOK_SIGNATURE_KEY: MERGE_KEY,
    MERGE_BASE_URL: 'http://127.0.0.1:9/api',
    TELNYX_PUBLIC_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...env,
  });
  await ingress.waitFor(/ingress listening/, 30_000);
  return { ingress, base: `http://127.0.0.1:${port}` };
}
