/**
 * Memory: each service's resident set idle after start, at its peak during a storm, right after it, and after
 * SETTLE_SECONDS of quiet (does it give the storm's memory back?). The storm is storm.ts's: DEALS deals moved
 * to Negotiation/Review at once, each delivered COPIES times, CONCURRENCY in flight.
 *
 *   npm run bench -- bench/memory.ts        (DEALS=1000 COPIES=10 CONCURRENCY=50 SETTLE_SECONDS=30)
 *   SERVICE_NODE_OPTIONS='--max-semi-space-size=1' SERVICE_MALLOC_ARENA_MAX=2 …
 *                                           the same run with V8 or glibc allocator settings for every service
 *
 * RSS is what the kernel charges the process (VmRSS in /proc/<pid>/status): V8's heap plus code, native
 * buffers and what the allocator keeps. Node gives freed heap pages back lazily, so "after settling" is the
 * figure an operator's container limit has to cover between storms.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { queueKey } from '@dda/queues';
import { personas } from '@dda/sandbox/telnyx-sim';
import { createAlertsRepository } from '@dda/store';
import { startStack, postWebhook, TOKEN, VP, WEBHOOK_KEY } from './support/stack.ts';
import { benchDealId } from './support/bench-seed.ts';
import { mapLimit } from './support/merge-control.ts';
import { memoryOf, rssSampler, waitForQuietMachine } from './support/proc-stats.ts';
import { emitResult, fmt, machine, table } from './support/stats.ts';

const DEALS = Number(process.env.DEALS ?? 1000);
const COPIES = Number(process.env.COPIES ?? 10);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const SETTLE_SECONDS = Number(process.env.SETTLE_SECONDS ?? 30);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS ?? 300_000);
const tuning: Record<string, string> = {
  ...(process.env.SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SERVICE_NODE_OPTIONS } : {}),
  ...(process.env.SERVICE_MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.SERVICE_MALLOC_ARENA_MAX } : {}),
};

console.log(`memory: idle, storm (${DEALS} deals × ${COPIES} deliveries, ${CONCURRENCY} in flight), then ${SETTLE_SECONDS} s of quiet`);
console.log(`machine: ${machine()}`);
if (Object.keys(tuning).length) console.log(`every service runs with ${JSON.stringify(tuning)}`);

const stack = await startStack({
  deals: DEALS,
  mergeLatencyMs: 50,
  telnyx: { timeScale: 0.05, vpPersona: personas.vpDismisses },
  env: { MERGE_RATE_LIMIT_PER_MINUTE: '100', ...tuning },
});
const { redis, prefix } = stack;
const alertsRepo = createAlertsRepository(redis.client, prefix);
const services = stack.processes().filter((p) => stack.services.has(p.name as never));

try {
  const ids = Array.from({ length: DEALS }, (_, i) => benchDealId(i));
  await mapLimit(ids, 16, (id) => stack.merge.moveDeal(id, 'Negotiation/Review'));
  const deliveries = (await mapLimit(ids, 16, (id) => stack.merge.webhookFor(id, WEBHOOK_KEY))).flatMap((d) =>
    Array.from({ length: COPIES }, () => d),
  );

  const quiet = await waitForQuietMachine(stack.processes());
  console.log(
    `machine quiet: ${quiet.quiet ? 'yes' : 'NO'} (waited ${fmt(quiet.waitedMs / 1000, 0)} s; others ${fmt(quiet.othersPct, 0)}% of one core)`,
  );
  const snapshot = () => Object.fromEntries(services.map((p) => [p.name, memoryOf(p.pid)?.rssMiB ?? NaN]));
  const idle = snapshot();

  const rss = rssSampler(services, 100);
  const t0 = Date.now();
  const answers = await mapLimit(deliveries, CONCURRENCY, (d) => postWebhook(stack.base, d));
  const codes: Record<string, number> = {};
  for (const a of answers) codes[a.status] = (codes[a.status] ?? 0) + 1;
  // The storm is over when every alert exists and no crm-events or dials job is left.
  for (;;) {
    const [alerts, waiting] = await Promise.all([
      alertsRepo.counts().then((c) => c.alerts),
      Promise.all(
        ['crm-events', 'dials'].flatMap((q) => [
          redis.client.llen(queueKey(prefix, q, 'wait')),
          redis.client.llen(queueKey(prefix, q, 'active')),
        ]),
      ),
    ]);
    if (alerts >= DEALS && waiting.every((n) => n === 0)) break;
    if (Date.now() - t0 > TIMEOUT_MS) throw new Error(`storm not over within ${TIMEOUT_MS / 1000} s: ${alerts} alerts`);
    await sleep(100);
  }
  const stormSec = (Date.now() - t0) / 1000;
  const after = snapshot();
  await sleep(SETTLE_SECONDS * 1000);
  const peak = rss.stop();
  const settled = snapshot();
  // Where the ingress's resident memory sits after the storm, from its own runtime metrics: the V8 heap in use,
  // the heap V8 keeps reserved, and memory outside the heap (Buffers): RSS far above "heap used" is memory the
  // process has freed but not handed back to the system, not memory it still holds on to.
  const heap = await ingressHeap();
  const vpDials = stack.telnyx.commands.filter((c) => c.action === 'dial' && !c.duplicate && c.to === VP).length;

  console.log('');
  console.log(
    `storm: ${deliveries.length} deliveries answered ${JSON.stringify(codes)}; every alert and dial done in ${fmt(stormSec, 1)} s; ${vpDials} VP calls`,
  );
  console.log(
    table(
      ['service', 'idle RSS MiB', 'peak RSS MiB', 'right after MiB', `after ${SETTLE_SECONDS} s quiet MiB`],
      services.map((p) => [p.name, idle[p.name] ?? NaN, peak[p.name]?.sampledPeakMiB ?? NaN, after[p.name] ?? NaN, settled[p.name] ?? NaN]),
    ),
  );
  if (heap)
    console.log(
      `ingress after settling: V8 heap used ${fmt(heap.used)} MiB of ${fmt(heap.total)} MiB reserved; external (Buffers) ${fmt(heap.external)} MiB; RSS ${fmt(settled['ingress'] ?? NaN)} MiB`,
    );
  emitResult('memory', {
    tuning,
    at: new Date().toISOString(),
    deals: DEALS,
    copies: COPIES,
    stormSec,
    answers: codes,
    idle,
    peak,
    after,
    settled,
    settleSeconds: SETTLE_SECONDS,
    machineQuiet: quiet.quiet,
  });
} finally {
  await stack.stop();
}

async function ingressHeap(): Promise<{ used: number; total: number; external: number } | null> {
  const res = await fetch(`${stack.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).catch(() => null);
  if (!res?.ok) return null;
  const text = await res.text();
  const mib = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return {
    used: mib('dda_ingress_nodejs_heap_size_used_bytes'),
    total: mib('dda_ingress_nodejs_heap_size_total_bytes'),
    external: mib('dda_ingress_nodejs_external_memory_bytes'),
  };
}
