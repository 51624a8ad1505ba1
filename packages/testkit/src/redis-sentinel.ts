import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './service-process.ts';
import { productionRedisArgs } from './redis-server-args.ts';

export type SentinelRedis = {
  /** For REDIS_SENTINELS. */
  sentinels: string;
  /** For REDIS_SENTINEL_MASTER. */
  master: string;
  /** The env a service needs to reach this topology. */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_MASTER: string };
  /** Port of the node the sentinels currently name as master. */
  masterPort: () => Promise<number>;
  /** SIGKILL of the current master: no shutdown, no last words to the replica. Resolves with its port. */
  kill9Master: () => Promise<number>;
  /**
   * Starts a killed node again on its port and folder, as a supervisor (Docker's restart policy) would; the
   * sentinels then turn an old master into a replica of the new one.
   */
  restart: (port: number) => Promise<void>;
  /** The data node that is not the master now (the replica's port). */
  replicaPort: () => Promise<number>;
  /** SIGSTOP / SIGCONT of a data node: alive but silent, as a hung host looks. */
  signal: (port: number, signal: 'SIGSTOP' | 'SIGCONT') => void;
  /** Resolves once the sentinels name a master other than `oldPort`, with its port. */
  waitForNewMaster: (oldPort: number, timeoutMs?: number) => Promise<number>;
  stop: () => Promise<void>;
};

const MASTER = 'dda';

/**
 * A master, one replica and three sentinels (quorum 2), each a real redis-server on loopback with config files
 * in a temporary folder: the smallest topology where killing the master is survived. The master is declared
 * down after 1 s of silence (production setups use 5–30 s) so a test's failover takes seconds.
 */
export async function startSentinelRedis(opts: { downAfterMs?: number } = {}): Promise<SentinelRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'dda-sentinel-'));
  const procs = new Map<number, ChildProcess>();
  const argsOf = new Map<number, string[]>();
  const run = (port: number, args: string[]) => {
    const p = spawn('redis-server', args, { stdio: 'ignore' });
    procs.set(port, p);
    argsOf.set(port, args);
    return p;
  };
  const data = async (name: string, extra: string[]) => {
    const port = await freePort();
    const d = join(dir, name);
    mkdirSync(d);
    // Production persistence settings (README "Durability"): AOF fsynced before each answer.
    run(port, [...productionRedisArgs({ port, dir: d }), ...extra]);
    return port;
  };
  const masterPort0 = await data('node-a', []);
  await ping(masterPort0);
  const replicaPort = await data('node-b', ['--replicaof', '127.0.0.1', String(masterPort0)]);
  await ping(replicaPort);
  await until(async () => /master_link_status:up/.test(await info(replicaPort, 'replication')), 10_000, 'the replica to sync');

  const dataPorts = [masterPort0, replicaPort];
  const sentinelPorts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${i}.conf`);
    // Sentinel rewrites its own config file as it learns the topology: it must be a writable file of its own.
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER} 127.0.0.1 ${masterPort0} 2`,
        `sentinel down-after-milliseconds ${MASTER} ${opts.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${MASTER} 10000`,
        `sentinel parallel-syncs ${MASTER} 1`,
        '',
      ].join('\n'),
    );
    run(port, [conf, '--sentinel']);
    sentinelPorts.push(port);
  }
  for (const p of sentinelPorts) await ping(p);
  // Sentinels find the replica and each other through the master (hello messages every 2 s); a failover
  // needs a quorum that knows one another.
  await until(
    async () => {
      for (const p of sentinelPorts) {
        const s = await sentinelCall(p, ['sentinel', 'master', MASTER]);
        const f = fields(s as string[]);
        if (Number(f['num-slaves']) < 1 || Number(f['num-other-sentinels']) < 2) return false;
      }
      return true;
    },
    20_000,
    'the sentinels to discover the replica and each other',
  );

  const masterPort = async () => {
    for (const p of sentinelPorts) {
      const addr = (await sentinelCall(p, ['sentinel', 'get-master-addr-by-name', MASTER]).catch(() => null)) as string[] | null;
      if (addr) return Number(addr[1]);
    }
    throw new Error('no sentinel answers');
  };
  const sentinels = sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  return {
    sentinels,
    master: MASTER,
    env: { REDIS_SENTINELS: sentinels, REDIS_SENTINEL_MASTER: MASTER },
    masterPort,
    kill9Master: async () => {
      const port = await masterPort();
      const p = procs.get(port)!;
      await new Promise<void>((resolve) => {
        if (p.exitCode !== null || p.signalCode) return resolve();
        p.once('exit', () => resolve());
        p.kill('SIGKILL');
      });
      return port;
    },
    replicaPort: async () => {
      const master = await masterPort();
      return dataPorts.find((p) => p !== master)!;
    },
    signal: (port, signal) => void procs.get(port)!.kill(signal),
    restart: async (port) => {
      run(port, argsOf.get(port)!);
      await ping(port);
    },
    waitForNewMaster: (oldPort, timeoutMs = 30_000) =>
      until(
        async () => {
          const now = await masterPort();
          if (now === oldPort) return false;
          // Promoted and answering as master, not only named.
          return /role:master/.test(await info(now, 'replication')) ? now : false;
        },
        timeoutMs,
        'a new master',
      ),
    stop: async () => {
      await Promise.all(
        [...procs.values()].map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.exitCode !== null || p.signalCode) return resolve();
              p.once('exit', () => resolve());
              p.kill('SIGKILL');
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function client<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}
const ping = (port: number) =>
  until(
    () =>
      client(port, (r) => r.ping()).then(
        () => true,
        () => false,
      ),
    10_000,
    `redis-server on ${port}`,
  );
const info = (port: number, section: string) => client(port, (r) => r.info(section)).catch(() => '');
const sentinelCall = (port: number, args: string[]) => client(port, (r) => r.call(args[0]!, ...args.slice(1)));
const fields = (flat: string[]) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));

async function until<T>(check: () => Promise<T | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => false as const);
    if (v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
