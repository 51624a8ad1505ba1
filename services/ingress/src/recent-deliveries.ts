/**
 * Deliveries this ingress has already accepted, by job id, so a redelivery of the same bytes is answered
 * without a Redis round trip. Merge redelivers identical payloads (a retry, a bulk update's burst), and each
 * redelivery used to wait on Redis — under `appendfsync always` behind the fsync of whatever else was
 * written in that moment — only to learn it was a duplicate.
 *
 * Safe because an id enters only once its acceptance is durable (written and, under Sentinel, held by the
 * replicas): what this cache calls a duplicate, Redis would too. A copy arriving while the first is still
 * being accepted waits for that same acceptance and shares its fate (a 503 for both when Redis cannot hold
 * it). Bounded in size and age; another replica, or this one after a restart, simply asks Redis.
 */
export function createRecentDeliveries(opts: { max: number; ttlMs: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  /** Insertion order is age order: the oldest entries go first when the map is full. */
  const accepted = new Map<string, number>();
  const inFlight = new Map<string, Promise<unknown>>();

  function seen(jobId: string): boolean {
    const until = accepted.get(jobId);
    if (until === undefined) return false;
    if (until > now()) return true;
    accepted.delete(jobId);
    return false;
  }

  function remember(jobId: string): void {
    accepted.delete(jobId);
    accepted.set(jobId, now() + opts.ttlMs);
    while (accepted.size > opts.max) accepted.delete(accepted.keys().next().value!);
  }

  return {
    /**
     * `accept` makes the delivery durable (or throws); it runs at most once at a time per job id, and not at
     * all for an id accepted recently. Copies that did not run it are told they are duplicates.
     */
    async acceptOnce<R extends { duplicate: boolean }>(jobId: string, accept: () => Promise<R>): Promise<R | { duplicate: true }> {
      if (seen(jobId)) return { duplicate: true };
      const running = inFlight.get(jobId);
      if (running) {
        await running;
        return { duplicate: true };
      }
      const run = accept();
      inFlight.set(jobId, run);
      try {
        const result = await run;
        remember(jobId);
        return result;
      } finally {
        inFlight.delete(jobId);
      }
    },
    size: () => accepted.size,
  };
}

export type RecentDeliveries = ReturnType<typeof createRecentDeliveries>;
