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
