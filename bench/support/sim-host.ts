/**
 * Child-process entry: the Merge simulator (seeded with BENCH_DEALS generated deals, BENCH_MERGE_LATENCY_MS
 * added to every /crm answer) and the AI simulator, outside the benchmark's own process so the load
 * generator's timings are not stretched by the simulators' work on the same event loop.
 * Prints one line `sim-host ready {"merge":…,"ai":…}`; driven through the Merge simulator's /_sim routes.
 */
import { createMergeSimulator } from '@dda/sandbox/merge-sim';
import { createAiSimulator } from '@dda/sandbox/ai-sim';
import { buildBenchSeed } from './bench-seed.ts';

const deals = Number(process.env.BENCH_DEALS ?? 1000);
const latencyMs = Number(process.env.BENCH_MERGE_LATENCY_MS ?? 0);
const merge = await createMergeSimulator({
  apiKey: process.env.BENCH_MERGE_API_KEY ?? 'bench-merge-key',
  accountToken: process.env.BENCH_MERGE_ACCOUNT_TOKEN ?? 'bench-account-token',
  seed: buildBenchSeed(deals),
  // Merge's entry-plan limit per account token; BENCH_MERGE_RATE_LIMIT=0 turns it off.
  rateLimitPerMinute: Number(process.env.BENCH_MERGE_RATE_LIMIT ?? 100),
});
merge.setFaults({ latencyMs });
const ai = await createAiSimulator({
  apiKey: process.env.BENCH_AI_API_KEY ?? 'bench-ai-key',
  latencyMs: Number(process.env.BENCH_AI_LATENCY_MS ?? 1500),
});

// The simulator records every /crm request; a long benchmark only needs the count.
setInterval(() => {
  if (merge.requests.length > 10_000) merge.requests.splice(0, merge.requests.length - 1000);
}, 1000).unref();

const close = async () => {
  await Promise.allSettled([merge.close(), ai.close()]);
  process.exit(0);
};
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());
console.log(`sim-host ready ${JSON.stringify({ merge: merge.url, ai: ai.url, deals, latencyMs })}`);
