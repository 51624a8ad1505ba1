import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWebhookKeyPair } from '@dda/telnyx';
import { SANDBOX_CREDENTIALS, SERVICE_NICE } from '@dda/config';
import { createTelnyxSimulator, type Persona, type TelnyxSimulator } from '@dda/sandbox/telnyx-sim';
import { defaultRepDirectory } from '@dda/sandbox/seed';
import { Pool } from 'undici';
import { freePort, startService, type ServiceProcess } from '@dda/testkit';
import { startBenchRedis, type BenchRedis, type FsyncPolicy } from './redis-server.ts';
import { mergeControl, type MergeControl } from './merge-control.ts';
import type { Proc } from './proc-stats.ts';

export type ServiceName = 'ingress' | 'briefing-worker' | 'dialer-worker' | 'call-worker';
export const ALL_SERVICES: ServiceName[] = ['ingress', 'briefing-worker', 'dialer-worker', 'call-worker'];

export const VP = '+15550100001';
export const WEBHOOK_KEY = 'bench_merge_webhook_signature_key';
export const TOKEN = 'bench-token-0123456789abcdef';
const MERGE_KEY = 'bench-merge-key';
const MERGE_ACCOUNT = 'bench-account-token';
const AI_KEY = 'bench-ai-key';

export type StackOptions = {
  /** Generated deals in the Merge simulator (bench-seed.ts). */
  deals: number;
  mergeLatencyMs?: number;
  /** Merge's per-account limit in the simulator (requests a minute); default 100, Merge's entry plan; 0 = none. */
  mergeRateLimitPerMinute?: number;
  aiLatencyMs?: number;
  appendfsync?: FsyncPolicy;
  services?: ServiceName[];
  /** The Telnyx simulator runs in this process (its `commands` carry arrival times); default: the VP rejects at once. */
  telnyx?: { timeScale: number; vpPersona: Persona };
  env?: Record<string, string>;
  /** Every process at the same CPU priority, instead of the briefing-worker and simulators yielding (SERVICE_NICE). */
  equalPriority?: boolean;
  /** Extra environment for one service only, e.g. NODE_OPTIONS for a CPU profile of the ingress. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
};

export type BenchStack = {
  redis: BenchRedis;
  prefix: string;
  base: string;
  merge: MergeControl;
  mergeUrl: string;
  /** Every request the Merge simulator answered so far (path, query, status). */
  mergeRequests: () => Promise<{ path: string; query: Record<string, string>; status: number }[]>;
  telnyx: TelnyxSimulator;
  services: Map<ServiceName, ServiceProcess>;
  /** Every process of the system under test, plus the simulators' host and this benchmark process. */
  processes: () => Proc[];
  /** Warn (pino 40) and error (50+) lines each service wrote, with the first few of them. */
  logProblems: () => Record<string, { warn: number; error: number; samples: string[] }>;
  logDir: string;
  stop: (opts?: { keepLogs?: boolean }) => Promise<void>;
};

/**
 * The real processes (ingress and workers, exactly as `npm start` runs them) against a throwaway Redis,
 * the Merge and AI simulators in a child process, and optionally the Telnyx simulator in this one.
 * Service output goes to files under `logDir` (the simulators' host: once it is up).
 */
export async function startStack(opts: StackOptions): Promise<BenchStack> {
  const names = opts.services ?? ALL_SERVICES;
  const logDir = mkdtempSync(join(tmpdir(), 'dda-bench-logs-'));
  const redis = await startBenchRedis({ appendfsync: opts.appendfsync ?? 'always' });
  const started: ServiceProcess[] = [];

  const simLog = join(logDir, 'sim-host.log');
  const toFile = (svc: ServiceProcess) => {
    const file = createWriteStream(simLog);
    for (const l of svc.lines) file.write(`${l}\n`);
    svc.lines.length = 0;
    for (const stream of [svc.proc.stdout!, svc.proc.stderr!]) {
      stream.removeAllListeners('data');
      stream.pipe(file, { end: false });
    }
  };

  // Ctrl-C or a kill of the benchmark must not leave services, simulators or Redis behind.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`benchmark interrupted (${signal}): stopping the stack`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let telnyx: TelnyxSimulator | undefined;
  const telnyxOpts = opts.telnyx ?? { timeScale: 0.02, vpPersona: { answer: 'reject', ringMs: 50 } };
  const cleanup = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all(started.map((s) => stopHard(s)));
    await telnyx?.close();
    await redis.stop();
  };

  try {
    const sims = startService(
      'sim-host',
      {
        BENCH_DEALS: String(opts.deals),
        BENCH_MERGE_LATENCY_MS: String(opts.mergeLatencyMs ?? 0),
        BENCH_MERGE_RATE_LIMIT: String(opts.mergeRateLimitPerMinute ?? 100),
        BENCH_AI_LATENCY_MS: String(opts.aiLatencyMs ?? 1500),
        BENCH_MERGE_API_KEY: MERGE_KEY,
        BENCH_MERGE_ACCOUNT_TOKEN: MERGE_ACCOUNT,
        BENCH_AI_API_KEY: AI_KEY,
      },
      'bench/support/sim-host.ts',
    );
    started.push(sims);
    const ready = JSON.parse((await readyOrExit(sims, /^sim-host ready /, 30_000)).replace(/^sim-host ready /, '')) as {
      merge: string;
      ai: string;
    };
    toFile(sims);
    // The simulators stand in for Merge's and the AI vendor's servers, which take no CPU of a real deployment's
    // host: they yield to the system under test like the throughput workers do.
    if (!opts.equalPriority) setPriority(sims.proc.pid!, 10);

    const keys = generateWebhookKeyPair();
    const sim = await createTelnyxSimulator({
      apiKey: SANDBOX_CREDENTIALS.telnyxApiKey,
      privateKey: keys.privateKey,
      personas: { [VP]: telnyxOpts.vpPersona },
      timeScale: telnyxOpts.timeScale,
      webhookRetryDelaysMs: [50, 150, 400, 1000, 2000],
    });
    telnyx = sim;
    const directory = join(logDir, 'reps.json');
    writeFileSync(directory, JSON.stringify(defaultRepDirectory));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const prefix = 'bench';
    const env: Record<string, string> = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      API_TOKEN: TOKEN,
      TELNYX_PUBLIC_KEY: keys.publicKey,
      TELNYX_BASE_URL: sim.url,
      MERGE_BASE_URL: ready.merge,
      MERGE_API_KEY: MERGE_KEY,
      MERGE_ACCOUNT_TOKEN: MERGE_ACCOUNT,
      MERGE_WEBHOOK_SIGNATURE_KEY: WEBHOOK_KEY,
      MERGE_POLL_SECONDS: '0',
      AI_BASE_URL: ready.ai,
      AI_API_KEY: AI_KEY,
      VP_SALES_NUMBER: VP,
      REP_DIRECTORY_FILE: directory,
      CALL_RETRY_ATTEMPTS: '0',
      CALL_RETRY_DELAY_SECONDS: '0',
      LOG_LEVEL: 'info',
      ...opts.env,
    };
    const services = new Map<ServiceName, ServiceProcess>();
    await Promise.all(
      names.map(async (name) => {
        // Straight into a file: reading a few thousand log lines a second through a pipe cost this process (and
        // so the machine under test) about a tenth of a core.
        const priority = { PROCESS_NICE: String(opts.equalPriority ? 0 : (SERVICE_NICE[name] ?? 0)) }; // as npm start runs them
        const svc = startService(name, { ...env, ...priority, ...opts.serviceEnv?.[name] }, undefined, {
          logFile: join(logDir, `${name}.log`),
        });
        started.push(svc);
        services.set(name, svc);
        // The ingress is ready when it answers /health (whatever its LOG_LEVEL); a worker when it says so.
        if (name === 'ingress') await healthyOrExit(svc, `${base}/health`);
        else await readyOrExit(svc, new RegExp(`${name} started`));
        // The quiet first day: deals the benchmark moves must move after the baseline has recorded them.
        if (name === 'briefing-worker') await readyOrExit(svc, /deal baseline done/);
      }),
    );
    return {
      redis,
      prefix,
      base,
      services,
      logDir,
      telnyx: sim,
      merge: mergeControl(ready.merge),
      mergeUrl: ready.merge,
      mergeRequests: async () =>
        (await (await fetch(`${ready.merge}/_sim/requests`)).json()) as { path: string; query: Record<string, string>; status: number }[],
      processes: () => [
        ...names.map((n) => ({ name: n, pid: services.get(n)!.proc.pid! })),
        { name: 'redis-server', pid: redis.pid },
        { name: 'sim-host', pid: sims.proc.pid! },
        { name: 'bench', pid: process.pid },
      ],
      logProblems: () => ({
        'sim-host': problemsIn(readFileSync(simLog, 'utf8').split('\n')),
        ...Object.fromEntries(names.map((n) => [n, problemsIn(services.get(n)!.lines)])),
      }),
      stop: async ({ keepLogs = false } = {}) => {
        await senders.get(base)?.close();
        senders.delete(base);
        await cleanup();
        if (!keepLogs && !process.env.BENCH_KEEP_LOGS) rmSync(logDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const s of started) console.error(`--- ${s.name} (last lines)\n${s.lines.slice(-20).join('\n')}`);
    await cleanup();
    throw err;
  }
}

/** The ready line, or a failure as soon as the process exits without printing it. */
function readyOrExit(svc: ServiceProcess, re: RegExp, timeoutMs = 60_000): Promise<string> {
  return Promise.race([
    svc.waitFor(re, timeoutMs),
    new Promise<string>((_, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${svc.name} exited (${code}) before it was ready:\n${svc.lines.slice(-15).join('\n')}`));
      if (svc.exited()) onExit(svc.proc.exitCode);
      svc.proc.once('exit', onExit);
    }),
  ]);
}

async function healthyOrExit(svc: ServiceProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (svc.exited()) throw new Error(`${svc.name} exited (${svc.proc.exitCode}) before it was ready:\n${svc.lines.slice(-15).join('\n')}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${svc.name}: ${url} did not answer within ${timeoutMs} ms:\n${svc.lines.slice(-15).join('\n')}`);
}

function problemsIn(lines: string[]): { warn: number; error: number; samples: string[] } {
  const p = { warn: 0, error: 0, samples: [] as string[] };
  for (const line of lines) {
    const level = /"level":"?(\w+)"?/.exec(line)?.[1];
    const isErr = level ? ['error', 'fatal', '50', '60'].includes(level) : /error/i.test(line);
    const isWarn = level === 'warn' || level === '40';
    if (isErr) p.error++;
    if (isWarn) p.warn++;
    if ((isErr || isWarn) && p.samples.length < 5) p.samples.push(line.slice(0, 400));
  }
  return p;
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
async function stopHard(svc: ServiceProcess, graceMs = 5000): Promise<void> {
  if (svc.exited()) return;
  const done = svc.stop('SIGTERM');
  const timer = setTimeout(() => svc.proc.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** A signed webhook POST; answers status and the time until the response headers arrived. */
/**
 * The storm's sender: undici's own request API over a pool of kept-alive connections per ingress. Node's
 * fetch (undici underneath, plus WHATWG streams and Response objects) topped out near 1,150 deliveries a second
 * here whatever the concurrency, with the ingress at a third of a core: the load generator, not the system
 * under test, was the limit.
 */
const senders = new Map<string, Pool>();
export async function postWebhook(
  base: string,
  d: { body: string; signature: string },
): Promise<{ status: number; sentAt: number; answeredAt: number }> {
  let pool = senders.get(base);
  // No cap on connections: the caller's concurrency (CONCURRENCY) is the only limit on what is in flight.
  if (!pool) senders.set(base, (pool = new Pool(base, { connections: null })));
  const sentAt = Date.now();
  const res = await pool.request({
    path: '/webhooks/crm',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature },
    body: d.body,
  });
  const answeredAt = Date.now();
  await res.body.dump();
  return { status: res.statusCode, sentAt, answeredAt };
}
