import { Redis } from 'ioredis';
import { pollModifiedDeals } from '@dda/alerting';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createMergeClient, signMergeBody } from '@dda/merge';
import { closeQueues, createQueues } from '@dda/queues';
import { createAlertsRepository } from '@dda/store';
import { createMergeSimulator } from '../merge-sim/index.ts';
import { FIXTURE_IDS } from '../seed/index.ts';

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
export async function startSandbox(opts: { env: Record<string, string>; print: (line: string) => void }): Promise<Sandbox> {
  const prefix = opts.env.REDIS_PREFIX ?? 'sandbox';
  const redisUrl = opts.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is required');
  const signatureKey = opts.env.MERGE_WEBHOOK_SIGNATURE_KEY || SANDBOX_MERGE_SIGNATURE_KEY;
  const merge = await createMergeSimulator({ apiKey: MERGE_API_KEY, accountToken: MERGE_ACCOUNT_TOKEN });

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await clearPrefix(redis, prefix);
  const queues = createQueues(redis, prefix);
  const log = createLogger({ service: 'sandbox', level: 'warn' });
  await pollModifiedDeals({
    merge: createMergeClient({ baseUrl: merge.url, apiKey: MERGE_API_KEY, accountToken: MERGE_ACCOUNT_TOKEN }),
    redis,
    prefix,
    queues,
    alerts: createAlertsRepository(redis, prefix),
    rules: { alertStages: (opts.env.ALERT_STAGES || 'negotiation,contract_sent,verbal_commit,closing').split(','), threshold: Number(opts.env.DEAL_THRESHOLD || 50000) },
    log,
  });
  await closeQueues(queues);
  redis.disconnect();

  merge.moveDeal(FIXTURE_IDS.deal, 'Negotiation/Review');
  // A heredoc ends the body with a newline: sign exactly the bytes curl will send.
  const body = `${merge.webhookFor(FIXTURE_IDS.deal, 'Opportunity.changed', signatureKey).body.trimEnd()}\n`;
  const signature = signMergeBody(body, signatureKey);

  return {
    env: {
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
      ].join('\n'),
    close: () => merge.close(),
  };
}

async function clearPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
