import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** Where a frame's code lives: a package, a workspace package, node's own internals, or (gc)/(idle)/(program). */
export function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const ws = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (ws) return `${ws[1]}/${ws[2]}`;
  if (url.startsWith('node:'))
    return url
      .replace(/^node:(internal\/)?/, 'node:')
      .split('/')
      .slice(0, 2)
      .join('/');
  return url;
}

/**
 * Self time per function and per area from the .cpuprofile files `node --cpu-prof` wrote into `dir`
 * (one per process exit). Percentages are of all sampled time, idle included, so they add up to the wall time.
 * `fromMonotonicUs` drops earlier samples (start-up, warm-up): V8 stamps samples with the monotonic clock,
 * the one `process.hrtime` reads, so another process on the machine can say where to start.
 */
export function summarizeCpuProfiles(dir: string, opts: { top?: number; fromMonotonicUs?: number } = {}): string {
  const top = opts.top ?? 15;
  const from = opts.fromMonotonicUs ?? 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return `no .cpuprofile in ${dir}`;
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // The areas on a node's whole stack, so a socket write is charged to pino or ioredis as well as to (native).
    const stackAreas = new Map<number, Set<string>>();
    const areasOf = (id: number): Set<string> => {
      let set = stackAreas.get(id);
      if (set) return set;
      const n = nodes.get(id)!;
      const up = parent.get(id);
      set = new Set(up === undefined ? [] : areasOf(up));
      set.add(areaOf(n.callFrame.url, n.callFrame.functionName));
      stackAreas.set(id, set);
      return set;
    };
    let ts = p.startTime;
    p.samples.forEach((id, i) => {
      const dt = p.timeDeltas[i] ?? 0;
      ts += dt;
      if (ts < from) return;
      const n = nodes.get(id);
      if (!n) return;
      total += dt;
      const { functionName, url, lineNumber } = n.callFrame;
      if (functionName === '(idle)') {
        idle += dt;
        return;
      }
      const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^file:\/\/.*?\/(node_modules|packages|services)\//, '$1/')}:${lineNumber + 1}` : ''}`;
      byFn.set(key, (byFn.get(key) ?? 0) + dt);
      const area = areaOf(url, functionName);
      byArea.set(area, (byArea.get(area) ?? 0) + dt);
      for (const a of areasOf(id)) inclusive.set(a, (inclusive.get(a) ?? 0) + dt);
    });
  }
  const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  const busy = total - idle;
  const lines = [
    `profile: ${(total / 1e6).toFixed(1)} s sampled, ${pct(busy)} busy (not idle)`,
    'self time by area (of all sampled time):',
  ];
  for (const [k, v] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('time with the area anywhere on the stack (overlaps: a socket write under pino counts for both):');
  const skip = new Set(['(root)', '(native)', '(program)', '(garbage collector)', '(idle)']);
  for (const [k, v] of [...inclusive]
    .filter(([k]) => !skip.has(k) && !k.startsWith('node:'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    lines.push(`  ${pct(v)}  ${k}`);
  lines.push('self time by function:');
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  return lines.join('\n');
}
