/**
 * Merge's per-linked-account limit (100 requests a minute on the entry plan), over any rolling minute.
 * Whether a 429 carries Retry-After is unconfirmed, so only every other one does: a client must cope either way.
 */
export function createRateLimit(limitPerMinute: number, now: () => number = Date.now, windowMs = 60_000) {
  const granted = new Map<string, number[]>();
  let throttled = 0;
  return {
    /** undefined when the request may go on, else the 429 to answer. */
    check(accountToken: string): { retryAfterSeconds?: number } | undefined {
      if (limitPerMinute <= 0) return undefined;
      const t = now();
      const log = (granted.get(accountToken) ?? []).filter((at) => at > t - windowMs);
      granted.set(accountToken, log);
      if (log.length < limitPerMinute) {
        log.push(t);
        return undefined;
      }
      throttled++;
      const waitS = Math.max(1, Math.ceil((log[0]! + windowMs - t) / 1000));
      return throttled % 2 === 1 ? { retryAfterSeconds: waitS } : {};
    },
    get throttled(): number {
      return throttled;
    },
  };
}
