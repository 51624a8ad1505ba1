import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createWorkerConnection, type RedisClient } from '@dda/redis';
import { generateWebhookKeyPair } from '@dda/telnyx';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { createTelnyxSimulator, type Persona, type TelnyxModes, type TelnyxSimulator } from '@dda/sandbox/telnyx-sim';
import { createMergeSimulator, type CrmSeed, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { createAiSimulator } from '@dda/sandbox/ai-sim';
import { defaultRepDirectory } from '@dda/sandbox/seed';
import { deleteKeys, freePort, startService, testRedisUrl, uniquePrefix, waitUntil, type ServiceProcess } from '@dda/testkit';

export const VP = '+15550100001';
export const AE = defaultRepDirectory[0]!.phone;
export const AE_EMAIL = defaultRepDirectory[0]!.email;
export const BACKUP = '+15550100009';
export const TOKEN = 'calls-token-0123456789abcdef';
/** The stack's MERGE_WEBHOOK_SIGNATURE_KEY, for tests that sign deliveries themselves. */
export const MERGE_WEBHOOK_KEY = 'calls_merge_signature_key';

export type CallStack = {
  telnyx: TelnyxSimulator;
  merge: MergeSimulator;
  base: string;
  redis: RedisClient;
  prefix: string;
  services: ServiceProcess[];
  printed: string[];
  start: (name: 'call-worker' | 'dialer-worker' | 'ingress' | 'briefing-worker') => Promise<ServiceProcess>;
  /** kill -9 a running service (the most recent one of that name). */
  kill9: (name: string) => Promise<void>;
  env: Record<string, string>;
  raiseAlert: (body?: Record<string, unknown>) => Promise<string>;
  alert: (id: string) => Promise<Record<string, any>>;
  waitForOutcome: (id: string, timeoutMs?: number) => Promise<Record<string, any>>;
  /** Commands Telnyx carried out (duplicates by command_id excluded), as `action:leg`. */
  transcript: () => string[];
  close: () => Promise<void>;
};

/**
 * The real processes (ingress, dialer-worker, call-worker; more on request) against the Telnyx and Merge
 * simulators and a real Redis. Each test sets the personas it needs with `telnyx.setPersona`.
 */
export async function startCallStack(
  opts: {
    env?: Record<string, string>;
    callWorkers?: number;
    timeScale?: number;
    redisUrl?: string;
    /** Another Redis topology instead of a REDIS_URL: its variables for the services (e.g. REDIS_CLUSTER_NODES) and the address for the test's own client. */
    redisTopology?: { env: Record<string, string>; address: string };
    withBriefingWorker?: boolean;
    mergeSeed?: CrmSeed;
    /** Tokens of further Merge linked accounts the simulator accepts. */
    mergeAccountTokens?: string[];
    /** Start the AI simulator (answering after this many ms) and point the services at it. */
    aiLatencyMs?: number;
    /** How the simulated Telnyx behaves where the real one is unconfirmed (changeable later with setModes). */
    telnyxModes?: TelnyxModes;
  } = {},
): Promise<CallStack> {
  const keys = generateWebhookKeyPair();
  const printed: string[] = [];
  const telnyx = await createTelnyxSimulator({
    apiKey: SANDBOX_CREDENTIALS.telnyxApiKey,
    privateKey: keys.privateKey,
    personas: {},
    timeScale: opts.timeScale ?? 0.02,
    names: { [VP]: 'VP', [AE]: 'AE', [BACKUP]: 'Backup' },
    print: (l) => printed.push(l),
    webhookRetryDelaysMs: [50, 150, 400, 1000, 2000],
    ...(opts.telnyxModes ? { modes: opts.telnyxModes } : {}),
  });
  const merge = await createMergeSimulator({
    apiKey: 'calls-merge-key',
    accountToken: 'calls-account-token',
    ...(opts.mergeSeed ? { seed: opts.mergeSeed } : {}),
    ...(opts.mergeAccountTokens ? { extraAccountTokens: opts.mergeAccountTokens } : {}),
  });
  const ai =
    opts.aiLatencyMs === undefined ? null : await createAiSimulator({ apiKey: SANDBOX_CREDENTIALS.aiApiKey, latencyMs: opts.aiLatencyMs });
  const dir = mkdtempSync(join(tmpdir(), 'dda-calls-'));
  const directory = join(dir, 'reps.json');
  writeFileSync(directory, JSON.stringify(defaultRepDirectory));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const prefix = uniquePrefix('calls');
  const env: Record<string, string> = {
    ...(opts.redisTopology ? opts.redisTopology.env : { REDIS_URL: opts.redisUrl ?? (await testRedisUrl()) }),
    REDIS_PREFIX: prefix,
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    API_TOKEN: TOKEN,
    TELNYX_BASE_URL: telnyx.url,
    TELNYX_PUBLIC_KEY: keys.publicKey,
    MERGE_BASE_URL: merge.url,
    MERGE_API_KEY: 'calls-merge-key',
    MERGE_ACCOUNT_TOKEN: 'calls-account-token',
    MERGE_WEBHOOK_SIGNATURE_KEY: MERGE_WEBHOOK_KEY,
    MERGE_POLL_SECONDS: '0',
    VP_SALES_NUMBER: VP,
    REP_DIRECTORY_FILE: directory,
    CALL_RETRY_ATTEMPTS: '1',
    CALL_RETRY_DELAY_SECONDS: '0',
    ...(ai ? { AI_BASE_URL: ai.url, AI_API_KEY: SANDBOX_CREDENTIALS.aiApiKey } : {}),
    ...opts.env,
  };
  const redis = opts.redisTopology ? createWorkerConnection(opts.redisTopology.address) : new Redis(env.REDIS_URL!);
  // Fault tests kill Redis on purpose; the reconnecting client must not crash the test run.
  redis.on('error', () => undefined);
  const services: ServiceProcess[] = [];
  const start = async (name: Parameters<CallStack['start']>[0]) => {
    const svc = startService(name, env);
    services.push(svc);
    await svc.waitFor(name === 'ingress' ? /ingress listening/ : new RegExp(`${name} started`));
    return svc;
  };
  await start('ingress');
  await start('dialer-worker');
  for (let i = 0; i < (opts.callWorkers ?? 1); i++) await start('call-worker');
  if (opts.withBriefingWorker) await start('briefing-worker');

  const auth = { authorization: `Bearer ${TOKEN}` };
  const alert = async (id: string) => (await (await fetch(`${base}/alerts/${id}`, { headers: auth })).json()) as Record<string, any>;
  return {
    telnyx,
    merge,
    base,
    redis,
    prefix,
    services,
    printed,
    start,
    alert,
    env,
    kill9: async (name) => {
      const svc = [...services].reverse().find((x) => x.name === name && !x.exited());
      if (svc) await svc.stop('SIGKILL');
    },
    raiseAlert: async (body) => {
      const res = await fetch(`${base}/alert`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(
          body ?? {
            deal_name: 'Platform Expansion FY26',
            account: 'Northwind Traders',
            amount: 185000,
            stage: 'Negotiation/Review',
            owner_email: AE_EMAIL,
          },
        ),
      });
      if (res.status !== 202) throw new Error(`POST /alert answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { alert_id: string }).alert_id;
    },
    waitForOutcome: (id, timeoutMs = 20_000) =>
      waitUntil(
        async () => {
          const a = await alert(id);
          return a.outcome && a.status !== 'calling' ? a : undefined;
        },
        timeoutMs,
        `an outcome for ${id}`,
      ),
    transcript: () => {
      const roleOf = (ccid: string | null, to?: string) => {
        const n = to ?? telnyx.calls().find((c) => c.callControlId === ccid)?.to;
        return n === VP ? 'vp' : n === AE ? 'ae' : n === BACKUP ? 'backup' : '?';
      };
      return telnyx.commands
        .filter((c) => !c.duplicate)
        .map((c) => `${c.action}:${roleOf(c.callControlId, c.action === 'dial' ? c.to : undefined)}`);
    },
    close: async () => {
      await Promise.all(services.map((s) => s.stop()));
      await telnyx.close();
      await merge.close();
      await ai?.close();
      rmSync(dir, { recursive: true, force: true });
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
}

export type { Persona };
