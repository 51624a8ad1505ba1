export { testRedisUrl, uniquePrefix, connectTestRedis, deleteKeys } from './test-redis.ts';
export { startService, freePort, repoRoot, type ServiceProcess } from './service-process.ts';
export { waitForQueuesIdle, waitUntil } from './queue-waits.ts';
export { startOwnRedis, type OwnRedis } from './redis-server.ts';
export { startSentinelRedis, type SentinelRedis } from './redis-sentinel.ts';
export { startRedisCluster, type RedisCluster } from './redis-cluster.ts';
export { productionRedisArgs } from './redis-server-args.ts';
export { readServerSentEvents, type ServerSentEvent } from './server-sent-events.ts';
