import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import { connectTestRedis, deleteKeys, repoRoot, uniquePrefix, waitUntil } from '@dda/testkit';
import { startHeartbeat } from '../src/worker-heartbeat.ts';

const dir = mkdtempSync(join(tmpdir(), 'dda-heartbeat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit code of the container health check for `file`. */
function healthcheck(file: string): number {
  try {
    execFileSync(process.execPath, [join(repoRoot, 'packages/queues/src/worker-healthcheck.ts'), file], { stdio: 'ignore' });
    return 0;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

describe('worker health check', () => {
  it('is unhealthy without a heartbeat, healthy with a fresh one, unhealthy with a stale one', () => {
    const file = join(dir, 'beat');
    expect(healthcheck(file)).toBe(1);
    writeFileSync(file, 'now');
    expect(healthcheck(file)).toBe(0);
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    expect(healthcheck(file)).toBe(1);
  });

  it('a running worker writes its heartbeat as soon as it is ready, and stops when it closes', async () => {
    const redis = await connectTestRedis();
    const prefix = uniquePrefix('beat');
    const file = join(dir, 'worker-beat');
    const worker = new Worker('beat-test', async () => undefined, { connection: redis, prefix });
    startHeartbeat(worker, file, 100);
    try {
      await waitUntil(async () => existsSync(file), 5000, 'the heartbeat file');
      expect(healthcheck(file)).toBe(0);
      await worker.close();
      rmSync(file);
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(file)).toBe(false);
    } finally {
      await worker.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
});
