import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './service-process.ts';
import { productionRedisArgs } from './redis-server-args.ts';

export type RedisCluster = {
  /** For REDIS_CLUSTER_NODES: every master as host:port. */
  nodes: string;
  ports: number[];
  stop: () => Promise<void>;
};

/**
 * A Redis Cluster of `masters` real redis-servers on loopback (no replicas), created with
 * `redis-cli --cluster create`, each with the production persistence settings. For tests of the Cluster
 * topology: every key one script or one MULTI touches must hash to one slot there, or Redis refuses it.
 */
export async function startRedisCluster(opts: { masters?: number } = {}): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'dda-cluster-'));
  const procs: ChildProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < (opts.masters ?? 3); i++) {
      const port = await freePort();
      const d = join(dir, String(port));
      mkdirSync(d);
      procs.push(
        spawn(
          'redis-server',
          [...productionRedisArgs({ port, dir: d }), '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
          { stdio: 'ignore' },
        ),
      );
      ports.push(port);
    }
    for (const port of ports) await answers(port);
    await promisify(execFile)('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (let i = 0; ; i++) {
      const states = await Promise.all(ports.map((p) => withClient(p, (r) => r.cluster('INFO')).catch(() => '')));
      if (states.every((s) => /cluster_state:ok/.test(String(s)))) break;
      if (i > 200) throw new Error('the cluster did not reach cluster_state:ok');
      await sleep(50);
    }
  } catch (err) {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    ports,
    stop: async () => {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve) =>
              p.exitCode !== null || p.signalCode ? resolve() : (p.once('exit', () => resolve()), p.kill('SIGKILL')),
            ),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withClient<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

async function answers(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (
      await withClient(port, (r) => r.ping()).then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(50);
  }
  throw new Error(`redis-server on ${port} did not start`);
}
