import { Redis } from 'ioredis';
import { createSharedMergeBudget, runBaseline } from '@dda/alerting';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createMergeClient, signMergeBody } from '@dda/merge';
import { createAccountsStore } from '@dda/accounts';
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
/** The CRO: the routing npm start loads sends deals of $500,000 and more to them first. */
export const SANDBOX_CRO_NUMBER = '+15550100400';
/** A second Merge linked account (a subsidiary's CRM), registered as POST /accounts would; same simulated data. */
export const SANDBOX_SECOND_ACCOUNT = {
  linkedAccountId: 'sandbox-subsidiary-crm',
  token: 'sandbox-subsidiary-account-token',
  label: 'Subsidiary CRM (sandbox)',
} as const;

export async function startSandbox(opts: {
  env: Record<string, string>;
  print: (line: string) => void;
  dataDir: string;
}): Promise<Sandbox> {
  const prefix = opts.env.REDIS_PREFIX ?? 'sandbox';
  const redisUrl = opts.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is required');
  const signatureKey = opts.env.MERGE_WEBHOOK_SIGNATURE_KEY || SANDBOX_MERGE_SIGNATURE_KEY;
  // Merge's entry-plan limit, as a real linked account has it: the services must live within it under npm start too.
  const limitPerMinute = Number(opts.env.MERGE_RATE_LIMIT_PER_MINUTE || 100);
  const merge = await createMergeSimulator({
    apiKey: MERGE_API_KEY,
    accountToken: MERGE_ACCOUNT_TOKEN,
    extraAccountTokens: [SANDBOX_SECOND_ACCOUNT.token],
    rateLimitPerMinute: 100,
  });
  const vpPersonaName = (opts.env.SANDBOX_VP_PERSONA || 'vpSaysConnect') as keyof typeof personas;
  const vpPersona: Persona = personas[vpPersonaName] ?? personas.vpSaysConnect;
  const keys = generateWebhookKeyPair();
  const names: Record<string, string> = { [SANDBOX_VP_NUMBER]: 'VP', [SANDBOX_CRO_NUMBER]: 'CRO' };
  const people: Record<string, Persona> = { [SANDBOX_VP_NUMBER]: vpPersona, [SANDBOX_CRO_NUMBER]: personas.vpSaysConnect };
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
  // Who gets the call: two recipients, the CRO first for big deals (ROUTING_FILE, applied by the ingress at boot).
  const routingFile = join(opts.dataDir, 'routing.json');
  writeFileSync(
    routingFile,
    JSON.stringify(
      {
        recipients: [
          { id: 'vp', name: opts.env.VP_NAME || 'the VP of Sales', phone: opts.env.VP_SALES_NUMBER || SANDBOX_VP_NUMBER },
          { id: 'cro', name: 'Alex Kim, the CRO', phone: SANDBOX_CRO_NUMBER },
        ],
        routes: [
          { name: 'big deals', match: { min_amount: 500000 }, call: ['cro', 'vp'] },
          { name: 'everything else', match: {}, call: ['vp'] },
        ],
        reps: defaultRepDirectory,
      },
      null,
      2,
    ),
  );

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await deleteKeysWithPrefix(redis, prefix);
  const log = createLogger({ service: 'sandbox', level: 'warn' });
  // The baseline the briefing-worker would run at its start, done here before the demo deal moves, so the
  // printed curl is a real move into Negotiation and not a deal the baseline might see already there.
  const { budget, flush } = createSharedMergeBudget({ redis, prefix, limitPerMinute, log });
  // The second linked account, as POST /accounts stores it (sealed when SECRETS_KEY is set).
  await createAccountsStore({ redis, prefix, secretsKey: opts.env.SECRETS_KEY || undefined, production: false }).put({
    linked_account_id: SANDBOX_SECOND_ACCOUNT.linkedAccountId,
    account_token: SANDBOX_SECOND_ACCOUNT.token,
    label: SANDBOX_SECOND_ACCOUNT.label,
  });
  // Each account's baseline, as the briefing-worker takes it per account.
  for (const accountToken of [MERGE_ACCOUNT_TOKEN, SANDBOX_SECOND_ACCOUNT.token]) {
    await runBaseline({
      merge: createMergeClient({ baseUrl: merge.url, apiKey: MERGE_API_KEY, accountToken, budget }),
      redis,
      prefix,
      alerts: createAlertsRepository(redis, prefix),
      rules: {
        alertStages: (opts.env.ALERT_STAGES || 'negotiation,contract_sent,verbal_commit,closing').split(','),
        threshold: Number(opts.env.DEAL_THRESHOLD || 50000),
      },
      log,
    });
  }
  await flush();
  redis.disconnect();

  merge.moveDeal(FIXTURE_IDS.deal, 'Negotiation/Review');
  // A heredoc ends the body with a newline: sign exactly the bytes curl will send.
  const body = `${merge.webhookFor(FIXTURE_IDS.deal, 'Opportunity.changed', signatureKey).body.trimEnd()}\n`;
  const signature = signMergeBody(body, signatureKey);
  // A $900,000 deal of the second account moves too: its webhook rings the CRO while the VP hears Northwind.
  const bigDeal = merge.listDeals().find((d) => d.name === 'Fabrikam - Fleet Telematics Renewal');
  if (!bigDeal) throw new Error('sandbox seed: the Fabrikam telematics deal is missing');
  merge.setAmount(bigDeal.id, 900000);
  merge.moveDeal(bigDeal.id, 'Negotiation/Review');
  const bigEnvelope = JSON.parse(merge.webhookFor(bigDeal.id, 'Opportunity.changed', signatureKey).body) as {
    linked_account: Record<string, unknown>;
  };
  bigEnvelope.linked_account = { ...bigEnvelope.linked_account, id: SANDBOX_SECOND_ACCOUNT.linkedAccountId };
  const files = { vp: join(opts.dataDir, 'webhook-northwind.json'), cro: join(opts.dataDir, 'webhook-subsidiary-big-deal.json') };
  writeFileSync(files.vp, body);
  writeFileSync(files.cro, JSON.stringify(bigEnvelope));
  const curlOf = (file: string, bytes: string) =>
    `curl -s -X POST ${'$'}{BASE}/webhooks/crm -H 'content-type: application/json' -H 'x-merge-webhook-signature: ${signMergeBody(bytes, signatureKey)}' --data-binary @${file}`;
  const both = [curlOf(files.vp, body), curlOf(files.cro, JSON.stringify(bigEnvelope))];

  return {
    env: {
      TELNYX_BASE_URL: telnyx.url,
      TELNYX_PUBLIC_KEY: keys.publicKey,
      AI_BASE_URL: ai.url,
      AI_API_KEY: SANDBOX_CREDENTIALS.aiApiKey,
      VP_SALES_NUMBER: opts.env.VP_SALES_NUMBER || SANDBOX_VP_NUMBER,
      REP_DIRECTORY_FILE: opts.env.REP_DIRECTORY_FILE || directory,
      ROUTING_FILE: opts.env.ROUTING_FILE || routingFile,
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
        `  The VP (${vpPersonaName}; set SANDBOX_VP_PERSONA to ${Object.keys(personas)
          .filter((p) => p.startsWith('vp'))
          .join(', ')}) will be rung;`,
        '  the conversation prints below as it happens (📞 lines).',
        '',
        '  Or two deals at once, from two linked accounts: Northwind ($185,000) rings the VP while a $900,000',
        `  Fabrikam deal from the second account (${SANDBOX_SECOND_ACCOUNT.linkedAccountId}) rings the CRO (routing: ${ingressBase}/settings):`,
        '',
        `  BASE=${ingressBase}`,
        `  ${both[0]} &`,
        `  ${both[1]} &`,
        '  wait',
        '',
        '  Missed it (SANDBOX_VP_PERSONA=vpNoAnswer)? Then the VP calls our number back, hears the open alert and presses 1',
        '  to be connected to the AE (the texts and the note on the deal show on the page):',
        '',
        `  curl -s -X POST ${telnyx.url}/_sim/incoming-call -H 'content-type: application/json' \\`,
        `    -d '${JSON.stringify({
          from: opts.env.VP_SALES_NUMBER || SANDBOX_VP_NUMBER,
          to: opts.env.TELNYX_PHONE_NUMBER || SANDBOX_CREDENTIALS.telnyxPhoneNumber,
          webhookUrl: `${ingressBase}/webhooks/voice`,
          attestation: 'A',
          persona: { responses: [{ press: '1' }], talkMs: 20_000 },
        })}'`,
        '',
      ].join('\n'),
    close: async () => {
      await Promise.all([merge.close(), telnyx.close(), ai.close()]);
    },
  };
}
