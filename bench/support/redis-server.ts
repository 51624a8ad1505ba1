import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, productionRedisArgs } from '@dda/testkit';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export type BenchRedis = {
  url: string;
  port: number;
  pid: number;
  dir: string;
  appendfsync: FsyncPolicy;
  /** A plain client for the benchmark's own reads (counts, INFO). */
  client: Redis;
  info: (section: string) => Promise<Record<string, string>>;
  stop: () => Promise<void>;
};

/**
 * A throwaway redis-server owned by the benchmark: free port, temporary folder on the same disk as /tmp,
 * the flags of scripts/bootstrap.sh (AOF on, noeviction, no RDB) with the fsync policy under test.
 * Run in the foreground (not daemonized) so its pid is ours to sample and to stop.
 */
export async function startBenchRedis(opts: { appendfsync?: FsyncPolicy } = {}): Promise<BenchRedis> {
  const appendfsync = opts.appendfsync ?? 'always';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dda-bench-redis-'));
  const proc: ChildProcess = spawn(
    'redis-server',
    [...productionRedisArgs({ port, dir, appendfsync }), '--logfile', join(dir, 'redis.log')],
    {
      stdio: 'ignore',
    },
  );
  let exited = false;
  proc.on('exit', () => (exited = true));
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => 50 });
  client.on('error', () => {}); // refused while the server starts; later errors surface on the commands
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`redis-server exited at start; see ${dir}/redis.log`);
    try {
      await client.connect();
      await client.ping();
      break;
    } catch {
      if (i > 100) throw new Error(`redis-server on ${port} did not answer; see ${dir}/redis.log`);
      client.disconnect();
      await sleep(50);
    }
  }
  const info = async (section: string) => {
    const raw = await client.info(section);
    return Object.fromEntries(
      raw
        .split('\r\n')
        .filter((l) => l.includes(':') && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
    );
  };
  return {
    url,
    port,
    pid: proc.pid!,
    dir,
    appendfsync,
    client,
    info,
    stop: async () => {
      client.disconnect();
      if (!exited) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
