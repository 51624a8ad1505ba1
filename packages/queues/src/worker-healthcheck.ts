import { statSync } from 'node:fs';
import { HEARTBEAT_EVERY_MS, HEARTBEAT_FILE } from './worker-heartbeat.ts';

/*
 * Container health check of a worker: `node packages/queues/src/worker-healthcheck.ts [file]` exits 0 when
 * the heartbeat file (worker-heartbeat.ts) was refreshed within three heartbeats, 1 otherwise.
 */
const file = process.argv[2] ?? HEARTBEAT_FILE;
const maxAgeMs = 3 * HEARTBEAT_EVERY_MS;
try {
  const age = Date.now() - statSync(file).mtimeMs;
  if (age > maxAgeMs) {
    process.stderr.write(`worker heartbeat is ${Math.round(age / 1000)} s old\n`);
    process.exit(1);
  }
  process.exit(0);
} catch {
  process.stderr.write('no worker heartbeat yet\n');
  process.exit(1);
}
