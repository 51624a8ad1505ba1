import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';

/**
 * A worker process has no HTTP port for a container health check, so it proves it is alive by touching a
 * file: only while a worker is running and its Redis answers a PING. worker-healthcheck.ts reads the file's
 * age. One file per process (per container); several workers in one process all refresh it.
 */
export const HEARTBEAT_FILE = join(tmpdir(), 'dda-worker-heartbeat');
export const HEARTBEAT_EVERY_MS = 10_000;

export function startHeartbeat(worker: Worker, file = HEARTBEAT_FILE, everyMs = HEARTBEAT_EVERY_MS): void {
  const beat = async () => {
    if (!worker.isRunning() || worker.closing) return;
    // BullMQ types its client as its own minimal interface; the object is the ioredis client.
    const client = (await worker.backend.client) as unknown as { ping: () => Promise<unknown> };
    await client.ping();
    await writeFile(file, new Date().toISOString());
  };
  const tick = () => void beat().catch(() => undefined);
  const timer = setInterval(tick, everyMs);
  timer.unref();
  worker.once('ready', tick);
  worker.once('closing', () => clearInterval(timer));
}
