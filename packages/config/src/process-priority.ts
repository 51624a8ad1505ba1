import { getPriority, setPriority } from 'node:os';

type Log = { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };

/** Lowers this process's CPU priority to `nice` (PROCESS_NICE); raising it back would need privileges, so it never tries. */
export function applyProcessNice(nice: number, log: Log): void {
  if (nice <= 0 || getPriority() >= nice) return;
  try {
    setPriority(nice);
    log.info({ nice }, 'running at lower CPU priority');
  } catch (err) {
    log.warn({ nice, err: (err as Error).message }, 'could not lower CPU priority');
  }
}

/**
 * What `npm start` (and the benchmarks, which run the services as it does) gives each service as PROCESS_NICE
 * unless the environment says otherwise. Only throughput work yields: the ingress answers webhooks under the
 * senders' timeouts, and the call-worker and dialer drive live calls.
 */
export const SERVICE_NICE: Readonly<Record<string, number>> = { 'briefing-worker': 10 };

/**
 * V8 flags every service runs with (npm start, the tests and benchmarks through testkit, the Docker image).
 * A young generation capped at 4 MiB per semi-space: V8 otherwise grows it to 16–32 MiB under a storm and
 * keeps it, which was most of the 80–125 MiB each service never gave back (README: Memory). Measured side by
 * side, the ingress took the same webhook rate with it (3,275/s against 3,307/s, p99 41 ms against 53 ms).
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4';

/** NODE_OPTIONS for a service: ours first, so a value the operator set (later on the line) wins. */
export function serviceNodeOptions(existing: string | undefined): string {
  return existing ? `${SERVICE_NODE_OPTIONS} ${existing}` : SERVICE_NODE_OPTIONS;
}
