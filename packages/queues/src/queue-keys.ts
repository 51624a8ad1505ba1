import { hashTag } from '@dda/redis';

/**
 * BullMQ's prefix for one of our queues. BullMQ names a queue's keys `<prefix>:<queue>:…` and its scripts
 * touch several of them at once, so under Redis Cluster they must share a slot: the queue's name as a hash
 * tag does that, and different queues still spread over the masters. Everyone who opens a queue (services,
 * tests, benchmarks) goes through here.
 */
export function queuePrefix(prefix: string, queue: string): string {
  return `${prefix}:${hashTag(queue)}`;
}

/** The key BullMQ gives `suffix` of a queue (`wait`, `active`, …), for readers that look at a queue's lists. */
export function queueKey(prefix: string, queue: string, suffix: string): string {
  return `${queuePrefix(prefix, queue)}:${queue}:${suffix}`;
}
