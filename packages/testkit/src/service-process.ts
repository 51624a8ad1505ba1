import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export type ServiceProcess = {
  name: string;
  proc: ChildProcess;
  /** Every stdout/stderr line the process wrote so far. */
  lines: string[];
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  exited: () => boolean;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

/** Runs a service's real entry point (the same command the Dockerfile and npm start use). */
export function startService(name: string, env: Record<string, string>, entry = `services/${name}/src/main.ts`): ServiceProcess {
  const proc = spawn(process.execPath, [entry], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  let exitCode: number | null | undefined;
  proc.on('exit', (code) => (exitCode = code));
  return {
    name,
    proc,
    lines,
    exited: () => exitCode !== undefined,
    waitFor: (re, timeoutMs = 20_000) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms; last lines:\n${lines.slice(-15).join('\n')}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
      });
    },
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
