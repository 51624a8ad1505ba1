import { Queue } from 'bullmq';
import { queuePrefix } from '@dda/queues';
import type { RedisClient } from '@dda/redis';

/** Resolves when the named queues have nothing waiting, active or delayed (checked twice in a row). */
export async function waitForQueuesIdle(redis: RedisClient, prefix: string, names: string[], timeoutMs = 20_000): Promise<void> {
  const queues = names.map((n) => new Queue(n, { connection: redis, prefix: queuePrefix(prefix, n) }));
  const deadline = Date.now() + timeoutMs;
  let quietRounds = 0;
  try {
    while (Date.now() < deadline) {
      const counts = await Promise.all(
        queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')),
      );
      const busy = counts.some((c) => Object.values(c).some((v) => v > 0));
      quietRounds = busy ? 0 : quietRounds + 1;
      if (quietRounds >= 2) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`queues ${names.join(', ')} still busy after ${timeoutMs} ms`);
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  label = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${label}`);
}
