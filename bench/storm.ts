/**
 * Storm: a bulk CRM update moves 1,000 deals to Negotiation/Review at once and Merge delivers each deal's
 * webhook 10 times, all in one burst (50 in flight). Measured: first delivery → all alerts created, the exact
 * number of alerts (must be 1,000), the VP dials the Telnyx simulator saw meanwhile (one live call at a time,
 * so far fewer than 1,000) and the peak memory of every process.
 *
 *   npm run bench -- bench/storm.ts          (DEALS=1000 COPIES=10 CONCURRENCY=50 MERGE_LATENCY_MS=50 FSYNC=always)
 *   DISTINCT=1 …                             each copy is a distinct delivery (own hook.id): 10 triage jobs per
 *                                            deal race on the snapshot compare-and-set instead of 9 being refused
 *                                            as duplicates at the door
 *   PROFILE=dialer-worker …                  a CPU profile of that service from the first delivery on, summarised
 *
 * Copies of one deal are sent next to each other (deal after deal), so identical deliveries are in flight
 * together. The VP persona answers and says "got it" (simulated call time × TIME_SCALE, default 0.05).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { signMergeBody } from '@dda/merge';
import { queueKey } from '@dda/queues';
import { personas } from '@dda/sandbox/telnyx-sim';
import { createAlertsRepository } from '@dda/store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, postWebhook, TOKEN, VP, WEBHOOK_KEY, type ServiceName } from './support/stack.ts';
import { summarizeCpuProfiles } from './support/cpu-profile.ts';
import { benchDealId } from './support/bench-seed.ts';
import { mapLimit } from './support/merge-control.ts';
import { cpuMeter, memoryOf, rssSampler, waitForQuietMachine } from './support/proc-stats.ts';
import { emitResult, fmt, machine, summarize, table } from './support/stats.ts';
import type { FsyncPolicy } from './support/redis-server.ts';

const DEALS = Number(process.env.DEALS ?? 1000);
const COPIES = Number(process.env.COPIES ?? 10);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const MERGE_LATENCY_MS = Number(process.env.MERGE_LATENCY_MS ?? 50);
const FSYNC = (process.env.FSYNC ?? 'always') as FsyncPolicy;
const DISTINCT = process.env.DISTINCT === '1';
const TIME_SCALE = Number(process.env.TIME_SCALE ?? 0.05);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS ?? 300_000);
const MERGE_LIMIT = Number(process.env.MERGE_LIMIT ?? 100);
const PROFILED = (process.env.PROFILE || undefined) as ServiceName | undefined;
const profileDir = PROFILED ? mkdtempSync(join(tmpdir(), 'dda-storm-prof-')) : undefined;
let profiledFrom = 0;

console.log(
  `storm: ${DEALS} deals moved to Negotiation/Review, each delivered ${COPIES}× (${DISTINCT ? 'distinct deliveries' : 'byte-identical redeliveries'}), ` +
    `${CONCURRENCY} in flight; Merge answers in ${MERGE_LATENCY_MS} ms and allows ${MERGE_LIMIT || 'unlimited'} requests a minute; appendfsync ${FSYNC}; VP persona vpDismisses at time scale ${TIME_SCALE}`,
);
console.log(`machine: ${machine()}`);

const stack = await startStack({
  deals: DEALS,
  mergeLatencyMs: MERGE_LATENCY_MS,
  mergeRateLimitPerMinute: MERGE_LIMIT,
  appendfsync: FSYNC,
  telnyx: { timeScale: TIME_SCALE, vpPersona: personas.vpDismisses },
  env: { MERGE_RATE_LIMIT_PER_MINUTE: String(MERGE_LIMIT || 100_000) },
  ...(PROFILED && profileDir ? { serviceEnv: { [PROFILED]: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } } } : {}),
});
const { redis, telnyx, prefix } = stack;
const vpDials = () => telnyx.commands.filter((c) => c.action === 'dial' && !c.duplicate && c.to === VP).length;

try {
  const ids = Array.from({ length: DEALS }, (_, i) => benchDealId(i));
  await mapLimit(ids, 16, (id) => stack.merge.moveDeal(id, 'Negotiation/Review'));
  const bases = await mapLimit(ids, 16, (id) => stack.merge.webhookFor(id, WEBHOOK_KEY));
  const hookId = (JSON.parse(bases[0]!.body) as { hook: { id: string } }).hook.id;
  const deliveries = bases.flatMap((d, i) =>
    Array.from({ length: COPIES }, (_, c) => {
      if (!DISTINCT) return d;
      const body = d.body.replace(hookId, `${hookId.slice(0, 24)}${(i * COPIES + c).toString(16).padStart(12, '0')}`);
      return { body, signature: signMergeBody(body, WEBHOOK_KEY) };
    }),
  );

  // What the start cost (the baseline's pages, the name caches), before the storm; the moves above use /_sim, not the API.
  const atStart = (await stack.mergeRequests()).length;
  await redis.client.config('RESETSTAT');
  const alerts = createAlertsRepository(redis.client, prefix);
  const procs = stack.processes();
  const quiet = await waitForQuietMachine(procs);
  console.log(
    `machine quiet: ${quiet.quiet ? 'yes' : 'NO'} (waited ${fmt(quiet.waitedMs / 1000, 0)} s; others ${fmt(quiet.othersPct, 0)}% of one core)`,
  );
  const idle = Object.fromEntries(procs.map((p) => [p.name, memoryOf(p.pid)?.rssMiB ?? NaN]));
  const rss = rssSampler(procs, 100);
  const cpu = cpuMeter(procs);
  let maxLiveVp = 0;
  const liveTimer = setInterval(() => {
    maxLiveVp = Math.max(maxLiveVp, telnyx.calls().filter((c) => c.to === VP && c.state !== 'ended').length);
  }, 10);

  cpu.start();
  const t0 = Date.now();
  profiledFrom = Number(process.hrtime.bigint() / 1000n);
  let alertsAt: number | undefined;
  let alertsSeen = 0;
  const watcher = (async () => {
    while (Date.now() - t0 < TIMEOUT_MS) {
      alertsSeen = (await alerts.counts()).alerts;
      if (alertsSeen >= DEALS) {
        alertsAt = Date.now();
        return;
      }
      await sleep(20);
    }
  })();
  const answers = await mapLimit(deliveries, CONCURRENCY, (d) => postWebhook(stack.base, d));
  const deliveredAt = Date.now();
  await watcher;
  const mergeAtAlerts = await stack.mergeRequests();
  const dialsAtAlerts = vpDials();
  const cpuUsed = cpu.stop();

  // Let triage finish every job still queued (redeliveries, racing copies) before the final count.
  const queued = async () => {
    const c = redis.client;
    const k = (s: string) => `${prefix}:crm-events:${s}`;
    const [w, a, d, p] = await Promise.all([c.llen(k('wait')), c.llen(k('active')), c.zcard(k('delayed')), c.zcard(k('prioritized'))]);
    return w + a + d + p;
  };
  const drainStart = Date.now();
  while ((await queued()) > 0 && Date.now() - drainStart < 120_000) await sleep(50);
  await sleep(500);
  const endAt = Date.now();
  clearInterval(liveTimer);
  const mem = rss.stop();
  const dialsAtEnd = vpDials();

  // The count through the API, page by page, as an operator would see it.
  let apiCount = 0;
  const perDeal = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const res = await fetch(`${stack.base}/alerts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const page = (await res.json()) as { alerts: { deal: { id: string } }[]; next_cursor: string | null };
    apiCount += page.alerts.length;
    for (const a of page.alerts) perDeal.set(a.deal.id, (perDeal.get(a.deal.id) ?? 0) + 1);
    cursor = page.next_cursor;
  } while (cursor);
  const { alerts: indexCount, undispatched: outbox } = await alerts.counts();
  const dealsWithTwo = [...perDeal.values()].filter((n) => n > 1).length;
  const statuses: Record<string, number> = {};
  for (const s of [...perDeal.keys()].length ? await alertStatuses() : []) statuses[s] = (statuses[s] ?? 0) + 1;
  const codes: Record<string, number> = {};
  for (const a of answers) codes[a.status] = (codes[a.status] ?? 0) + 1;
  const lat = summarize(answers.map((a) => a.answeredAt - a.sentAt));
  const jobTimes = await jobDurations('crm-events');
  const dialJobTimes = await jobDurations('dials');
  const cmd = await redis.info('commandstats');
  const commands = Object.entries(cmd)
    .map(([k, v]) => ({
      name: k.replace(/^cmdstat_/, ''),
      calls: Number(/calls=(\d+)/.exec(v)?.[1]),
      usec: Number(/usec=(\d+)/.exec(v)?.[1]),
    }))
    .sort((a, b) => b.usec - a.usec)
    .slice(0, 8);

  console.log('');
  console.log(
    `deliveries: ${deliveries.length} in ${fmt((deliveredAt - t0) / 1000, 2)} s (${fmt(deliveries.length / ((deliveredAt - t0) / 1000), 0)}/s); answers ${JSON.stringify(codes)}; latency p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms`,
  );
  console.log(
    `first delivery → all ${DEALS} alerts created: ${alertsAt ? `${fmt((alertsAt - t0) / 1000, 2)} s (last delivery answered → all alerts: ${fmt((alertsAt - deliveredAt) / 1000, 2)} s)` : `NOT REACHED within ${TIMEOUT_MS / 1000} s (${alertsSeen} alerts)`}`,
  );
  console.log(
    `alerts: ${indexCount} in Redis, ${apiCount} through GET /alerts (pages of 200), ${perDeal.size} distinct deals, ${dealsWithTwo} deals with more than one alert → ${indexCount === DEALS && apiCount === DEALS && dealsWithTwo === 0 ? 'EXACT' : 'WRONG'}`,
  );
  const stormReqs = mergeAtAlerts.slice(atStart);
  const notesReqs = stormReqs.filter((r) => r.path === '/crm/v1/notes').length;
  const deal = stormReqs.filter((r) => /^\/crm\/v1\/opportunities\/./.test(r.path)).length;
  const throttled = mergeAtAlerts.filter((r) => r.status === 429).length;
  const decisionPath = atStart + stormReqs.length - notesReqs;
  console.log(
    `Merge requests: ${decisionPath} on the decision path for the whole storm (start: ${atStart} = baseline pages + name caches; ` +
      `storm: ${stormReqs.length - notesReqs}, of which ${deal} single-deal GETs) ${decisionPath <= 30 ? '≤ 30 MET' : '> 30 MISSED'}; ` +
      `plus ${notesReqs} notes lists for briefings (budget permitting); 429s: ${throttled}`,
  );
  console.log(
    `  old design (one GET per delivery triaged): ≥ ${DEALS} GETs for this storm, ≥ ${fmt(DEALS / (MERGE_LIMIT || Infinity), 1)} min at ${MERGE_LIMIT}/min`,
  );
  console.log(
    `VP dials seen by Telnyx: ${dialsAtAlerts} by the time every alert existed, ${dialsAtEnd} by the end (${fmt((endAt - t0) / 1000, 1)} s); most VP legs live at once: ${maxLiveVp}`,
  );
  console.log(
    `triage job (crm-events) time in the worker: p50 ${jobTimes.run.p50} ms, p99 ${jobTimes.run.p99} ms, max ${jobTimes.run.max} ms over ${jobTimes.run.n} jobs; wait in queue p50 ${jobTimes.wait.p50} ms, max ${jobTimes.wait.max} ms`,
  );
  console.log(
    `dial job time in the dialer-worker: p50 ${dialJobTimes.run.p50} ms, p99 ${dialJobTimes.run.p99} ms over ${dialJobTimes.run.n} jobs`,
  );
  console.log(
    `Redis during the storm (top by time): ${commands.map((c) => `${c.name} ${c.calls} calls ${fmt(c.usec / 1000, 0)} ms`).join(' | ')}`,
  );
  console.log(`alert statuses at the end: ${JSON.stringify(statuses)}; outbox (not yet handed to dialer) ${outbox}`);
  console.log('');
  console.log(
    table(
      ['process', 'RSS before MiB', 'peak RSS sampled MiB', 'VmHWM MiB', 'RSS at the end MiB', 'CPU% during storm'],
      procs.map((p) => [
        p.name,
        idle[p.name] ?? NaN,
        mem[p.name]?.sampledPeakMiB ?? NaN,
        mem[p.name]?.hwmMiB ?? NaN,
        memoryOf(p.pid)?.rssMiB ?? NaN,
        cpuUsed[p.name] ?? NaN,
      ]),
    ),
  );
  console.log(`other processes on the machine used ${fmt(cpuUsed['others'] ?? NaN, 0)}% CPU meanwhile (of 200%)`);
  const problems = stack.logProblems();
  for (const [name, p] of Object.entries(problems))
    if (p.warn || p.error) console.log(`log ${name}: ${p.warn} warn, ${p.error} error; e.g. ${p.samples[0]}`);
  emitResult('storm', {
    deals: DEALS,
    copies: COPIES,
    distinct: DISTINCT,
    fsync: FSYNC,
    mergeLatencyMs: MERGE_LATENCY_MS,
    mergeLimitPerMinute: MERGE_LIMIT,
    mergeRequests: { atStart, decisionPath, notes: notesReqs, singleDealGets: deal, throttled },
    deliverSec: (deliveredAt - t0) / 1000,
    allAlertsSec: alertsAt ? (alertsAt - t0) / 1000 : null,
    answers: codes,
    deliveryLatency: lat,
    alerts: indexCount,
    apiAlerts: apiCount,
    dealsWithMoreThanOne: dealsWithTwo,
    exact: indexCount === DEALS && apiCount === DEALS && dealsWithTwo === 0,
    vpDialsWhenAllAlerts: dialsAtAlerts,
    vpDialsAtEnd: dialsAtEnd,
    runSec: (endAt - t0) / 1000,
    maxLiveVpLegs: maxLiveVp,
    memory: mem,
    idleRssMiB: idle,
    cpu: cpuUsed,
    statuses,
    outbox,
    triageJob: jobTimes,
    dialJob: dialJobTimes,
    redisCommands: commands,
  });

  /** Run time (processedOn → finishedOn) and queue wait (timestamp → processedOn) of every completed job. */
  async function jobDurations(queue: string): Promise<{ run: ReturnType<typeof summarize>; wait: ReturnType<typeof summarize> }> {
    const ids = await redis.client.zrange(queueKey(prefix, queue, 'completed'), 0, -1);
    const pipe = redis.client.pipeline();
    for (const id of ids) pipe.hmget(queueKey(prefix, queue, id), 'timestamp', 'processedOn', 'finishedOn');
    const rows = ((await pipe.exec()) ?? []).map(([, v]) => (v as (string | null)[]).map(Number));
    return {
      run: summarize(rows.filter((r) => r[1] && r[2]).map((r) => r[2]! - r[1]!)),
      wait: summarize(rows.filter((r) => r[0] && r[1]).map((r) => r[1]! - r[0]!)),
    };
  }

  async function alertStatuses(): Promise<string[]> {
    const ids = await alerts.ids();
    return Promise.all(ids.map(async (id) => String((await alerts.fields(id, ['status'])).status)));
  }
} finally {
  await stack.stop();
  if (profileDir)
    console.log(
      `${PROFILED} CPU profile from the first delivery (${profileDir}):\n${summarizeCpuProfiles(profileDir, { fromMonotonicUs: profiledFrom })}`,
    );
}
