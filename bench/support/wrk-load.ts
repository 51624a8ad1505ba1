import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Delivery } from './merge-control.ts';

/**
 * Closed-loop load from wrk (C, one thread) replaying pre-signed deliveries: the load generator costs a few
 * percent of a core instead of the third of a core a Node generator signing each request spent, which on a
 * two-core machine is CPU taken from the system under test.
 */
export type WrkResult = {
  durationUs: number;
  responses: number;
  sent: number;
  exhausted: boolean;
  /** `status`: answers that were not 2xx or 3xx. */
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** CPU seconds wrk itself used (user + system), from the shell that ran it. */
  cpuSeconds: number;
};

const SCRIPT = new URL('./replay-requests.lua', import.meta.url).pathname;

/** wrk is Debian's `wrk` package; `npm run bench` installs it when missing (scripts/bootstrap.sh). */
export function assertWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk --version exits 1 after printing its banner; only a missing binary is a problem.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error("wrk not found: run the benchmark through `npm run bench` (it installs Debian's wrk)");
  }
}

/** Writes one raw HTTP/1.1 request per delivery, in the record format replay-requests.lua reads. */
export function writeRequests(file: string, base: string, path: string, deliveries: Delivery[]): void {
  const host = new URL(base).host;
  const parts: Buffer[] = [];
  for (const d of deliveries) {
    const body = Buffer.from(d.body);
    const head =
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
      `X-Merge-Webhook-Signature: ${d.signature}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const req = Buffer.concat([Buffer.from(head), body]);
    parts.push(Buffer.from(`${req.length}\n`), req);
  }
  writeFileSync(file, Buffer.concat(parts));
}

/** Starts wrk; `child` is exposed so its CPU can be metered with the rest; `result` resolves when it ends. */
export function runWrk(o: { base: string; path: string; deliveries: Delivery[]; connections: number; durationSec: number }): {
  child: ChildProcess;
  result: Promise<WrkResult>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'dda-wrk-'));
  const file = join(dir, 'requests');
  writeRequests(file, o.base, o.path, o.deliveries);
  // wrk has exited before its CPU could be read from /proc; the shell's `times` reports its children's.
  const child = spawn(
    'bash',
    [
      '-c',
      'wrk "$@"; rc=$?; times; exit $rc',
      'wrk',
      '-t1',
      `-c${o.connections}`,
      `-d${o.durationSec}s`,
      '--timeout',
      '5s',
      '-s',
      SCRIPT,
      `${o.base}${o.path}`,
    ],
    {
      env: { ...process.env, REQUESTS_FILE: file },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const result = new Promise<WrkResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
      if (!line) return reject(new Error(`wrk exited ${code} without a result:\n${out}`));
      const times = [...out.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].at(-1); // the second line: children
      const cpuSeconds = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : NaN;
      resolve({ ...(JSON.parse(line.slice('WRK_RESULT '.length)) as Omit<WrkResult, 'cpuSeconds'>), cpuSeconds });
    });
  });
  return { child, result };
}
