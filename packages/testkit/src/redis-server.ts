import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './service-process.ts';
import { productionRedisArgs } from './redis-server-args.ts';

export type OwnRedis = {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL: no shutdown save, only what the AOF already holds survives. */
  kill9: () => Promise<void>;
  start: () => Promise<void>;
  stop: () => Promise<void>;
};

/** A redis-server of the test's own, on its own port and folder, with production persistence settings. */
export async function startOwnRedis(opts: { appendfsync?: 'always' | 'everysec' } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dda-redis-'));
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  const start = async () => {
    proc = spawn('redis-server', productionRedisArgs({ port, dir, appendfsync: opts.appendfsync ?? 'always' }), { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .then(
          () => true,
          () => false,
        );
      probe.disconnect();
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on ${port}`);
  };
  const waitExit = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  await start();
  return {
    url,
    port,
    dir,
    start,
    kill9: () => waitExit('SIGKILL'),
    stop: async () => {
      await waitExit('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
