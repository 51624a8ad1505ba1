import { Redis } from 'ioredis';
import { createSharedMergeBudget, runBaseline } from '@dda/alerting';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createMergeClient, signMergeBody } from '@dda/merge';
import { createAlertsRepository, deleteKeysWithPrefix } from '@dda/store';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateWebhookKeyPair } from '@dda/telnyx';
import { createMergeSimulator } from '../merge-sim/index.ts';
import { createTelnyxSimulator, personas, type Persona } from '../telnyx-sim/index.ts';
import { createAiSimulator } from '../ai-sim/index.ts';
import { defaultRepDirectory, FIXTURE_IDS } from '../seed/index.ts';

export type Sandbox = {
  /** Variables that point every service at the simulators. */
  env: Record<string, string>;
  instructions: (ingressBase: string) => string;
  close: () => Promise<void>;
};

const MERGE_API_KEY = SANDBOX_CREDENTIALS.mergeApiKey;
const MERGE_ACCOUNT_TOKEN = SANDBOX_CREDENTIALS.mergeAccountToken;
export const SANDBOX_MERGE_SIGNATURE_KEY = 'sandbox_merge_webhook_signature_key';

/**
 * Brings up the simulators and a known starting point: sandbox data from an earlier run is cleared, every
 * seeded deal is recorded as it stands (so nothing alerts just for existing), then the demo deal moves to
 * Negotiation in the CRM, and the printed curl delivers Merge's webhook for that move.
 */
export const SANDBOX_VP_NUMBER = '+15550100001';

export async function startSandbox(opts: { env: Record<string, string>; print: (line: string) => void; dataDir: string }): Promise<Sandbox> {
  const prefix = opts.env.REDIS_PREFIX ?? 'sandbox';
  const redisUrl = opts.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is required');
  const signatureKey = opts.env.MERGE_WEBHOOK_SIGNATURE_KEY || SANDBOX_MERGE_SIGNATURE_KEY;
  // Merge's entry-plan limit, as a real linked account has it: the services must live within it under npm start too.
  const limitPerMinute = Number(opts.env.MERGE_RATE_LIMIT_PER_MINUTE || 100);
  const merge = await createMergeSimulator({ apiKey: MERGE_API_KEY, accountToken: MERGE_ACCOUNT_TOKEN, rateLimitPerMinute: 100 });
  const vpPersonaName = (opts.env.SANDBOX_VP_PERSONA || 'vpSaysConnect') as keyof typeof personas;
  const vpPersona: Persona = personas[vpPersonaName] ?? personas.vpSaysConnect;
  const keys = generateWebhookKeyPair();
  const names: Record<string, string> = { [SANDBOX_VP_NUMBER]: 'VP' };
  const people: Record<string, Persona> = { [SANDBOX_VP_NUMBER]: vpPersona };
  for (const rep of defaultRepDirectory) {
    names[rep.phone] = `AE ${rep.name.split(' ')[0]}`;
    people[rep.phone] = personas.aeAccepts;
  }
  // Real-time pacing with a tenth of the rings and pauses: a whole call plays out in well under a minute.
  const telnyx = await createTelnyxSimulator({
    apiKey: SANDBOX_CREDENTIALS.telnyxApiKey,
    privateKey: keys.privateKey,
    personas: people,
    names,
    timeScale: Number(opts.env.SANDBOX_TIME_SCALE || 0.2),
    print: (line) => opts.print(`  📞 ${line}`),
  });
  const ai = await createAiSimulator({ apiKey: SANDBOX_CREDENTIALS.aiApiKey, latencyMs: Number(opts.env.SANDBOX_AI_LATENCY_MS || 1500) });
  mkdirSync(opts.dataDir, { recursive: true });
  const directory = join(opts.dataDir, 'rep-directory.json');
  writeFileSync(directory, JSON.stringify(defaultRepDirectory, null, 2));

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await deleteKeysWithPrefix(redis, prefix);
  const log = createLogger({ service: 'sandbox', level: 'warn' });
  // The baseline the briefing-worker would run at its start, done here before the demo deal moves, so the
  // printed curl is a real move into Negotiation and not a deal the baseline might see already there.
  const { budget, flush } = createSharedMergeBudget({ redis, prefix, limitPerMinute, log });
  await runBaseline({
    merge: createMergeClient({ baseUrl: merge.url, apiKey: MERGE_API_KEY, accountToken: MERGE_ACCOUNT_TOKEN, budget }),
    redis,
    prefix,
    alerts: createAlertsRepository(redis, prefix),
    rules: { alertStages: (opts.env.ALERT_STAGES || 'negotiation,contract_sent,verbal_commit,closing').split(','), threshold: Number(opts.env.DEAL_THRESHOLD || 50000) },
    log,
  });
  await flush();
  redis.disconnect();

  merge.moveDeal(FIXTURE_IDS.deal, 'Negotiation/Review');
  // A heredoc ends the body with a newline: sign exactly the bytes curl will send.
  const body = `${merge.webhookFor(FIXTURE_IDS.deal, 'Opportunity.changed', signatureKey).body.trimEnd()}\n`;
  const signature = signMergeBody(body, signatureKey);

  return {
    env: {
      TELNYX_BASE_URL: telnyx.url,
      TELNYX_PUBLIC_KEY: keys.publicKey,
      AI_BASE_URL: ai.url,
      AI_API_KEY: SANDBOX_CREDENTIALS.aiApiKey,
      VP_SALES_NUMBER: opts.env.VP_SALES_NUMBER || SANDBOX_VP_NUMBER,
      REP_DIRECTORY_FILE: opts.env.REP_DIRECTORY_FILE || directory,
      MERGE_BASE_URL: merge.url,
      MERGE_API_KEY,
      MERGE_ACCOUNT_TOKEN,
      MERGE_WEBHOOK_SIGNATURE_KEY: signatureKey,
      REDIS_PREFIX: prefix,
    },
    instructions: (ingressBase) =>
      [
        '  Fire the sample deal (Northwind Traders moved to Negotiation/Review) — paste this:',
        '',
        `  curl -s -X POST ${ingressBase}/webhooks/crm \\`,
        `    -H 'content-type: application/json' \\`,
        `    -H 'x-merge-webhook-signature: ${signature}' \\`,
        `    --data-binary @- <<'JSON'`,
        body.trimEnd(),
        'JSON',
        '',
        `  The VP (${vpPersonaName}; set SANDBOX_VP_PERSONA to ${Object.keys(personas).filter((p) => p.startsWith('vp')).join(', ')}) will be rung;`,
        '  the conversation prints below as it happens (📞 lines).',
        '',
      ].join('\n'),
    close: async () => {
      await Promise.all([merge.close(), telnyx.close(), ai.close()]);
    },
  };
}
