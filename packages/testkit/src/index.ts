export { testRedisUrl, uniquePrefix, connectTestRedis, deleteKeys } from './test-redis.ts';
