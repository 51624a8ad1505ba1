/**
 * Ingress throughput: signed `Opportunity.changed` webhooks per second accepted (202) by the real ingress
 * process on loopback, with every worker running (the briefing-worker triaging each delivery against the
 * Merge simulator, which answers in MERGE_LATENCY_MS), under each Redis fsync policy.
 *
 *   npm run bench -- bench/ingress-throughput.ts
 *   RATES=100,1000,2000,3000 DURATION=15 CONNECTIONS=64 SATURATE=32 FSYNC=always,everysec PROFILE=1 MERGE_LATENCY_MS=50
 *
 * Every request is a new delivery (its own hook.id, re-signed; deals cycle over 1,000 generated ones), so the
 * ingress must verify, parse, enqueue and answer 202 for each; a 200 (duplicate) would mean the load generator
 * repeated itself. Per policy: a fresh Redis, a warm-up, one fixed-rate run per RATES entry (autocannon's
 * coordinated-omission correction on), then a closed-loop run with SATURATE connections for the ceiling.
 * PROFILE=1 writes a CPU profile of the ingress and prints where its time went.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signMergeBody } from '@dda/merge';
import { ALL_SERVICES, startStack, WEBHOOK_KEY, type BenchStack, type ServiceName } from './support/stack.ts';
import { benchDealId } from './support/bench-seed.ts';
import { mapLimit } from './support/merge-control.ts';
import { cpuMeter, waitForQuietMachine } from './support/proc-stats.ts';
import { emitResult, fmt, machine, table } from './support/stats.ts';
import { summarizeCpuProfiles } from './support/cpu-profile.ts';
import type { FsyncPolicy } from './support/redis-server.ts';

const DEALS = 1000;
const RATES = (process.env.RATES ?? '100,1000,2000,3000').split(',').filter(Boolean).map(Number);
const DURATION = Number(process.env.DURATION ?? 15);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);
const SATURATE = Number(process.env.SATURATE ?? 32);
const FSYNCS = (process.env.FSYNC ?? 'always,everysec').split(',') as FsyncPolicy[];
const PROFILE = process.env.PROFILE === '1';
const MERGE_LATENCY_MS = Number(process.env.MERGE_LATENCY_MS ?? 50);
const TARGET = { rate: 3000, p99: 25 };
// Diagnosis only: SERVICES=ingress measures the ingress without workers; LOG_LEVEL=warn runs the ingress without its per-request log line.
const SERVICES = (process.env.SERVICES?.split(',') ?? ALL_SERVICES) as ServiceName[];
const LOG_LEVEL = process.env.LOG_LEVEL ?? 'info';

type Phase = {
  fsync: FsyncPolicy;
  phase: string;
  offered: number | null;
  connections: number;
  accepted: number;
  acceptedPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  other: number;
  errors: number;
  cpu: Record<string, number>;
  triagedPerSec: number;
};

console.log(
  `ingress-throughput: fsync ${FSYNCS.join(' and ')}, fixed rates ${RATES.join('/')} req/s × ${DURATION} s over ${CONNECTIONS} connections, then ${SATURATE} closed-loop connections; ` +
    `Merge answers in ${MERGE_LATENCY_MS} ms; services ${SERVICES.join(', ')}; LOG_LEVEL ${LOG_LEVEL}`,
);
console.log(`machine: ${machine()}`);
console.log('CPU% columns: percent of one core (200 = both); "others" = every process outside the system under test (other people\'s work on this machine)');

const results: Phase[] = [];
const redisStats: Record<string, string> = {};
const profiles: Record<string, string> = {};
let sequence = 0;

for (const fsync of FSYNCS) {
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), `dda-bench-prof-${fsync}-`)) : undefined;
  let measuredFrom = 0;
  const stack = await startStack({
    deals: DEALS,
    mergeLatencyMs: MERGE_LATENCY_MS,
    appendfsync: fsync,
    services: SERVICES,
    serviceEnv: { ingress: { LOG_LEVEL, ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}) } },
  });
  try {
    const bases = await mapLimit(Array.from({ length: DEALS }, (_, i) => benchDealId(i)), 16, (id) => stack.merge.webhookFor(id, WEBHOOK_KEY));
    const hookId = (JSON.parse(bases[0]!.body) as { hook: { id: string } }).hook.id;
    if (bases.some((b) => b.body.split(hookId).length !== 2)) throw new Error('the hook id must occur exactly once in each delivery');
    // A fresh delivery per request: its own hook id (same length), so its bytes, signature and job id are new.
    const next = () => {
      const n = sequence++;
      const body = bases[n % DEALS]!.body.replace(hookId, `${hookId.slice(0, 24)}${n.toString(16).padStart(12, '0')}`);
      return { body, signature: signMergeBody(body, WEBHOOK_KEY) };
    };
    const run = (o: { rate?: number; connections: number; duration: number }) =>
      autocannon({
        url: stack.base,
        connections: o.connections,
        duration: o.duration,
        ...(o.rate ? { overallRate: o.rate } : {}),
        requests: [
          {
            method: 'POST',
            path: '/webhooks/crm',
            setupRequest: (req) => {
              const d = next();
              return { ...req, body: d.body, headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature } };
            },
          },
        ],
      });

    await run({ rate: 500, connections: 16, duration: 3 }); // warm-up: JIT, connections, Redis scripts loaded
    measuredFrom = Number(process.hrtime.bigint() / 1000n);
    const phases: { name: string; rate?: number; connections: number }[] = [
      ...RATES.map((r) => ({ name: `fixed ${r}/s`, rate: r, connections: CONNECTIONS })),
      { name: `closed loop ×${SATURATE}`, connections: SATURATE },
    ];
    await stack.redis.client.config('RESETSTAT');
    for (const ph of phases) {
      const quiet = await waitForQuietMachine(stack.processes());
      if (quiet.waitedMs > 2500 || !quiet.quiet) console.log(`[${fsync}] waited ${fmt(quiet.waitedMs / 1000, 0)} s for other processes to calm down (${quiet.quiet ? 'quiet' : 'STILL BUSY'}: others ${fmt(quiet.othersPct, 0)}%)`);
      const cpu = cpuMeter(stack.processes());
      const triagedBefore = await completedTriage(stack);
      cpu.start();
      const t0 = performance.now();
      const r = await run({ ...(ph.rate ? { rate: ph.rate } : {}), connections: ph.connections, duration: DURATION });
      const secs = (performance.now() - t0) / 1000;
      const used = cpu.stop();
      const triaged = (await completedTriage(stack)) - triagedBefore;
      const accepted = r.statusCodeStats?.['202']?.count ?? 0;
      const all = Object.values(r.statusCodeStats ?? {}).reduce((a, s) => a + (s.count ?? 0), 0);
      const row: Phase = {
        fsync, phase: ph.name, offered: ph.rate ?? null, connections: ph.connections,
        accepted, acceptedPerSec: accepted / r.duration,
        p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max,
        other: all - accepted, errors: r.errors + r.timeouts, cpu: used, triagedPerSec: triaged / secs,
      };
      results.push(row);
      console.log(
        `[${fsync}] ${ph.name}: ${fmt(row.acceptedPerSec, 0)} accepted/s, p50 ${row.p50} ms, p99 ${row.p99} ms, max ${row.max} ms, non-202 ${row.other}, errors ${row.errors}; ` +
          `CPU% ${Object.entries(used).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')}; ingress ${fmt(perRequestMs(row, 'ingress'), 3)} CPU ms/req; triage ${fmt(row.triagedPerSec, 0)} jobs/s`,
      );
    }
    // Nothing accepted may be missing from Redis: every 202 is one crm-events job.
    const sent202 = results.filter((x) => x.fsync === fsync).reduce((a, x) => a + x.accepted, 0);
    const jobs = await countJobs(stack);
    const cmd = await stack.redis.info('commandstats');
    const persistence = await stack.redis.info('persistence');
    // The commands Redis spent most time on during the measured phases.
    const topCommands = Object.entries(cmd)
      .map(([k, v]) => ({ name: k.replace(/^cmdstat_/, ''), calls: Number(/calls=(\d+)/.exec(v)?.[1]), usec: Number(/usec=(\d+)/.exec(v)?.[1]), per: Number(/usec_per_call=([\d.]+)/.exec(v)?.[1]) }))
      .sort((a, b) => b.usec - a.usec)
      .slice(0, 6);
    redisStats[fsync] =
      topCommands.map((c) => `${c.name} ${c.calls} calls ${fmt(c.per, 1)} µs/call`).join(' | ') +
      ` | aof_delayed_fsync ${persistence['aof_delayed_fsync']} | crm-events jobs in Redis ${jobs} (measured phases accepted ${sent202}, plus warm-up)`;
    console.log(`[${fsync}] redis: ${redisStats[fsync]}`);
    const problems = stack.logProblems();
    for (const [name, p] of Object.entries(problems)) if (p.warn || p.error) console.log(`[${fsync}] log ${name}: ${p.warn} warn, ${p.error} error; e.g. ${p.samples[0]}`);
  } finally {
    await stack.stop();
  }
  if (profileDir) {
    profiles[fsync] = summarizeCpuProfiles(profileDir, { fromMonotonicUs: measuredFrom });
    console.log(`[${fsync}] ingress CPU profile after the warm-up (${profileDir}):\n${profiles[fsync]}`);
  }
}

console.log('');
console.log(
  table(
    ['fsync', 'phase', 'accepted/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-202', 'errors', 'ingress CPU%', 'ingress CPU ms/req', 'redis CPU%', 'redis CPU ms/req', 'worker CPU%', 'bench CPU%', 'others CPU%', 'triage/s'],
    results.map((r) => [
      r.fsync, r.phase, r.acceptedPerSec, r.p50, r.p90, r.p99, r.max, r.other, r.errors,
      r.cpu['ingress'] ?? NaN, fmt(perRequestMs(r, 'ingress'), 3), r.cpu['redis-server'] ?? NaN, fmt(perRequestMs(r, 'redis-server'), 3),
      r.cpu['briefing-worker'] ?? NaN, r.cpu['bench'] ?? NaN, r.cpu['others'] ?? NaN, r.triagedPerSec,
    ]),
  ),
);
const atTarget = results.filter((r) => r.offered === TARGET.rate);
for (const r of atTarget) {
  const met = r.acceptedPerSec >= TARGET.rate * 0.98 && r.p99 <= TARGET.p99 && r.other === 0 && r.errors === 0;
  console.log(`target ≥ ${TARGET.rate}/s with p99 ≤ ${TARGET.p99} ms, appendfsync ${r.fsync}: ${met ? 'MET' : 'MISSED'} (${fmt(r.acceptedPerSec, 0)}/s, p99 ${r.p99} ms)`);
}
emitResult('ingress-throughput', { mergeLatencyMs: MERGE_LATENCY_MS, durationSec: DURATION, phases: results, redis: redisStats, target: `>= ${TARGET.rate}/s, p99 <= ${TARGET.p99} ms` });

/** CPU milliseconds one accepted request cost a process: less sensitive to a noisy machine than the rate itself. */
function perRequestMs(r: Phase, name: string): number {
  return (10 * (r.cpu[name] ?? NaN)) / r.acceptedPerSec;
}

async function completedTriage(stack: BenchStack): Promise<number> {
  return stack.redis.client.zcard(`${stack.prefix}:crm-events:completed`);
}

/** Every crm-events job BullMQ holds, whatever its state. */
async function countJobs(stack: BenchStack): Promise<number> {
  const k = (s: string) => `${stack.prefix}:crm-events:${s}`;
  const c = stack.redis.client;
  const [wait, active, paused, completed, failed, delayed, prioritized] = await Promise.all([
    c.llen(k('wait')), c.llen(k('active')), c.llen(k('paused')), c.zcard(k('completed')), c.zcard(k('failed')), c.zcard(k('delayed')), c.zcard(k('prioritized')),
  ]);
  return wait + active + paused + completed + failed + delayed + prioritized;
}
