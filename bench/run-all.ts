/**
 * Runs every benchmark one after another (never two at once: they would share the two cores) and prints a
 * combined table. Each script's own output streams through; its `BENCH_RESULT {json}` line is collected.
 *
 *   npm run bench                      (= npm run bench -- bench/run-all.ts)
 *   BENCH_ONLY=storm,time-to-dial npm run bench
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, machine, table } from './support/stats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const all = ['ingress-throughput', 'time-to-dial', 'storm', 'dead-air', 'call-moments'];
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const scripts = all.filter((n) => (!only || only.includes(n)) && existsSync(`${root}bench/${n}.ts`));

type Result = Record<string, any> & { name: string };
const results: Result[] = [];
const failed: string[] = [];

console.log(`run-all: ${scripts.join(', ')}`);
console.log(`machine: ${machine()}`);

for (const name of scripts) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [`bench/${name}.ts`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let carry = '';
    child.stdout.on('data', (buf: Buffer) => {
      process.stdout.write(buf);
      const lines = (carry + buf.toString('utf8')).split('\n');
      carry = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('BENCH_RESULT ')) results.push(JSON.parse(l.slice('BENCH_RESULT '.length)) as Result);
    });
    child.on('exit', resolve);
  });
  if (code !== 0) failed.push(`${name} (exit ${code})`);
  console.log(`=== ${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${fmt((Date.now() - started) / 1000, 0)} s ===`);
}

const rows: (string | number)[][] = [];
const ms = (v: unknown) => (typeof v === 'number' ? `${fmt(v, 0)} ms` : '—');
for (const r of results) {
  switch (r.name) {
    case 'ingress-throughput':
      for (const p of r.phases as Record<string, any>[]) {
        rows.push([
          'ingress-throughput',
          `closed loop, ${p.phase}, appendfsync ${p.fsync}`,
          `${fmt(p.acceptedPerSec, 0)} accepted/s, p50 ${ms(p.p50)}, p99 ${ms(p.p99)}${p.other || p.errors ? `, ${p.other} non-202, ${p.errors} errors` : ''}; others' CPU ${fmt(p.cpu?.others ?? NaN, 0)}%`,
          '',
        ]);
      }
      for (const [fsync, sm] of Object.entries((r.summaries ?? {}) as Record<string, Record<string, any>>)) {
        rows.push([
          'ingress-throughput',
          `appendfsync ${fsync}`,
          `peak ${fmt(sm.peakPerSec, 0)}/s (p99 ${ms(sm.peakP99)}); best with p99 ≤ 25 ms: ${sm.bestWithinP99PerSec === null ? 'none' : `${fmt(sm.bestWithinP99PerSec, 0)}/s (${sm.bestWithinPhase})`}`,
          sm.met ? 'MET (≥3000/s, p99≤25 ms)' : 'MISSED (≥3000/s, p99≤25 ms)',
        ]);
      }
      break;
    case 'time-to-dial':
      rows.push([
        'time-to-dial',
        `${r.alerts} paced alerts, Merge ${r.mergeLatencyMs} ms, appendfsync ${r.fsync}`,
        `202 → dial p50 ${ms(r.acceptedToDial.p50)}, p99 ${ms(r.acceptedToDial.p99)}, max ${ms(r.acceptedToDial.max)}`,
        r.met ? 'MET (p99≤300 ms)' : 'MISSED (p99≤300 ms)',
      ]);
      break;
    case 'storm': {
      const mem = Object.entries(r.memory as Record<string, { hwmMiB: number }>)
        .filter(([n]) => ['ingress', 'briefing-worker', 'dialer-worker', 'call-worker', 'redis-server'].includes(n))
        .map(([n, m]) => `${n} ${fmt(m.hwmMiB, 0)}`)
        .join(', ');
      rows.push([
        'storm',
        `${r.deals} deals × ${r.copies} ${r.distinct ? 'distinct' : 'identical'} deliveries, appendfsync ${r.fsync}`,
        `all alerts in ${r.allAlertsSec === null ? 'NOT REACHED' : `${fmt(r.allAlertsSec, 1)} s`}; ${r.alerts} alerts; ${r.vpDialsWhenAllAlerts} VP dials (max ${r.maxLiveVpLegs} live); peak RSS MiB: ${mem}`,
        r.exact && r.maxLiveVpLegs <= 1 ? 'exact count, one live call' : 'CHECK',
      ]);
      break;
    }
    case 'dead-air':
      rows.push([
        'dead-air',
        `${r.calls} calls, AI ${r.aiLatencyMs} ms, appendfsync ${r.fsync}`,
        `VP answered → first prompt p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}`,
        r.met ? 'MET (p99≤100 ms)' : 'MISSED (p99≤100 ms)',
      ]);
      break;
    case 'call-moments':
      rows.push([
        'call-moments',
        `${r.calls} calls at time scale 1`,
        `barge-in p99 ${ms(r.bargeInP99)} (max ${ms(r.bargeInMax)}); connected after call.bridged p99 ${ms(r.connectedP99)} (max ${ms(r.connectedMax)})`,
        r.met ? 'MET (≤300 ms, ≤1 s)' : 'MISSED (≤300 ms, ≤1 s)',
      ]);
      break;
    default: {
      const scalars = Object.entries(r).filter(([k, v]) => k !== 'name' && (typeof v !== 'object' || v === null));
      rows.push([r.name, '', scalars.map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v, 1) : String(v)}`).join(', '), '']);
    }
  }
}
for (const name of scripts) if (!results.some((r) => r.name === name)) rows.push([name, '', 'no BENCH_RESULT line', '']);

console.log('\n=== summary ===');
console.log(table(['benchmark', 'setting', 'figures', 'target'], rows));
if (failed.length) {
  console.log(`failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
