import { spawn, type ChildProcess } from 'node:child_process';
import { serviceNodeOptions } from '@dda/config';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export type ServiceProcess = {
  name: string;
  proc: ChildProcess;
  /** Every stdout/stderr line the process wrote so far (with `logFile`: read from the file when asked). */
  lines: string[];
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  exited: () => boolean;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

/**
 * Runs a service's real entry point (the same command the Dockerfile and npm start use). With `logFile` the
 * process writes its output straight into that file: a benchmark's own process then spends no CPU reading
 * thousands of log lines a second through a pipe, and `waitFor` polls the file instead.
 */
export function startService(
  name: string,
  env: Record<string, string>,
  entry = `services/${name}/src/main.ts`,
  opts: { logFile?: string } = {},
): ServiceProcess {
  const fd = opts.logFile ? openSync(opts.logFile, 'a') : undefined;
  const proc = spawn(process.execPath, [entry], {
    cwd: repoRoot,
    // The V8 flags every deployment runs with, so tests and benchmarks measure what ships.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      ...env,
      NODE_OPTIONS: serviceNodeOptions(env['NODE_OPTIONS']),
    },
    stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'],
  });
  if (fd !== undefined) {
    closeSync(fd); // the child holds its own copy
    return fileBacked(name, proc, opts.logFile!);
  }
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      for (const w of [...waiters])
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  return {
    name,
    proc,
    lines,
    waitFor: (re, timeoutMs = 20_000) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms; last lines:\n${lines.slice(-15).join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
      });
    },
    ...lifecycle(proc),
  };
}

function fileBacked(name: string, proc: ChildProcess, file: string): ServiceProcess {
  const read = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return {
    name,
    proc,
    get lines() {
      return read();
    },
    waitFor: async (re, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = read().find((l) => re.test(l));
        if (seen) return seen;
        if (Date.now() > deadline)
          throw new Error(`${name}: no line matching ${re} within ${timeoutMs} ms; last lines:\n${read().slice(-15).join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    ...lifecycle(proc),
  };
}

/** `exited` and `stop`, the same for piped and file-backed services. */
function lifecycle(proc: ChildProcess): Pick<ServiceProcess, 'exited' | 'stop'> {
  let exitCode: number | null | undefined;
  proc.on('exit', (code) => (exitCode = code));
  return {
    exited: () => exitCode !== undefined,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (exitCode !== undefined) return resolve(exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      }),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
