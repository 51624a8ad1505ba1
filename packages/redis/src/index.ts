export { type RedisClient, duplicateClient, keyHoldingNodes } from './redis-client.ts';
export { hashTag } from './key-tags.ts';
export { createProducerConnection, createWorkerConnection } from './redis-connections.ts';
export { connectOptions, parseRedisAddress, type RedisTopology } from './redis-topology.ts';
export { replicasHold } from './replica-ack.ts';
