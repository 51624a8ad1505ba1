import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export type Proc = { name: string; pid: number };

/** VmRSS and VmHWM (peak resident set) in MiB from /proc/<pid>/status; null once the process is gone. */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** User + system CPU seconds the process has used so far. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Busy (non-idle, non-iowait) CPU seconds of the whole machine, all cores together. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

/**
 * CPU used by each process between start() and stop(), as a percentage of one core (200 = both cores of
 * this machine), plus `others`: what every process not in the list used meanwhile (other people's tests,
 * the kernel), so a noisy run can be told from a quiet one.
 */
export function cpuMeter(procs: Proc[]) {
  let t0 = 0;
  let machine0 = 0;
  let before = new Map<number, number>();
  return {
    start() {
      t0 = performance.now();
      machine0 = machineBusySeconds();
      before = new Map(procs.map((p) => [p.pid, cpuSecondsOf(p.pid) ?? 0]));
    },
    stop(): Record<string, number> {
      const wall = (performance.now() - t0) / 1000;
      const ours = Object.fromEntries(procs.map((p) => [p.name, (100 * ((cpuSecondsOf(p.pid) ?? 0) - (before.get(p.pid) ?? 0))) / wall]));
      const machine = (100 * (machineBusySeconds() - machine0)) / wall;
      const sum = Object.values(ours).reduce((a, b) => a + b, 0);
      return { ...ours, others: Math.max(0, machine - sum) };
    },
  };
}

/** Samples VmRSS every `everyMs` and keeps each process's maximum (VmHWM is read too at the end). */
export function rssSampler(procs: Proc[], everyMs = 100) {
  const peak = new Map<string, number>();
  const sample = () => {
    for (const p of procs) {
      const m = memoryOf(p.pid);
      if (m) peak.set(p.name, Math.max(peak.get(p.name) ?? 0, m.rssMiB));
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    /** Per process: the highest VmRSS sampled and the kernel's VmHWM (peak since the process started). */
    stop(): Record<string, { sampledPeakMiB: number; hwmMiB: number }> {
      clearInterval(timer);
      sample();
      return Object.fromEntries(
        procs.map((p) => [p.name, { sampledPeakMiB: peak.get(p.name) ?? NaN, hwmMiB: memoryOf(p.pid)?.hwmMiB ?? NaN }]),
      );
    },
  };
}

/**
 * Waits (at most `timeoutMs`) until the processes outside `procs` have used less than `maxOthersPct` of one
 * core for two one-second windows in a row, so a figure is not taken while someone else's test suite runs
 * on the same two cores. Answers how long it waited and what the others used in the last window; the
 * caller prints it next to the figures. BENCH_NO_QUIET_WAIT=1 skips the wait (only measures).
 */
export async function waitForQuietMachine(
  procs: Proc[],
  opts: { maxOthersPct?: number; timeoutMs?: number } = {},
): Promise<{ waitedMs: number; othersPct: number; quiet: boolean }> {
  const max = opts.maxOthersPct ?? 25;
  const timeoutMs = process.env.BENCH_NO_QUIET_WAIT === '1' ? 0 : (opts.timeoutMs ?? 180_000);
  const t0 = Date.now();
  let calm = 0;
  let others = NaN;
  for (;;) {
    const m = cpuMeter(procs);
    m.start();
    await new Promise((r) => setTimeout(r, 1000));
    others = m.stop()['others'] ?? NaN;
    calm = others < max ? calm + 1 : 0;
    if (calm >= 2) return { waitedMs: Date.now() - t0, othersPct: others, quiet: true };
    if (Date.now() - t0 >= timeoutMs) return { waitedMs: Date.now() - t0, othersPct: others, quiet: false };
  }
}
