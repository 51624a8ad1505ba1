import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { accountKeyOf } from '@dda/merge';
import { baselineKeys } from '@dda/alerting';
import { createAlertsRepository } from '@dda/store';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import { createAccountsStore } from '@dda/accounts';
import { loadRoutingFile } from '@dda/routing';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { SANDBOX_CRO_NUMBER, SANDBOX_SECOND_ACCOUNT, SANDBOX_VP_NUMBER } from '../src/launcher/start-sandbox.ts';
import { FIXTURE_IDS } from '../src/seed/index.ts';

const prefix = uniquePrefix('sbx');
const dir = mkdtempSync(join(tmpdir(), 'dda-sandbox-'));
let sandbox: Sandbox | undefined;
let redis: Redis | undefined;
afterAll(async () => {
  await sandbox?.close();
  if (redis) {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start in sandbox mode', () => {
  it('records the first-day baseline within the Merge budget before the demo deal moves, against a rate-limited Merge', async () => {
    const url = await testRedisUrl();
    redis = new Redis(url);
    sandbox = await startSandbox({ env: { REDIS_URL: url, REDIS_PREFIX: prefix }, print: () => undefined, dataDir: dir });
    // The demo deal was recorded in Proposal, so the printed curl (Negotiation) is a real move and alerts.
    expect((await createAlertsRepository(redis, prefix).getSnapshot(FIXTURE_IDS.deal))?.stage).toBe('Proposal/Price Quote');
    expect(await redis.exists(baselineKeys(prefix, accountKeyOf(SANDBOX_CREDENTIALS.mergeAccountToken)).done)).toBe(1);
    // The simulator npm start runs holds Merge's entry-plan limit.
    const merge = sandbox.env.MERGE_BASE_URL!;
    const statuses = await Promise.all(
      Array.from({ length: 101 }, () =>
        fetch(`${merge}/crm/v1/stages`, {
          headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.mergeApiKey}`, 'x-account-token': SANDBOX_CREDENTIALS.mergeAccountToken },
        }).then((r) => r.status),
      ),
    );
    expect(statuses).toContain(429);
  });

  it('seeds two recipients (VP and CRO) and two linked accounts, each with its baseline, and prints both deals at once', async () => {
    const printed = sandbox!.instructions('http://localhost:5000');
    const routing = loadRoutingFile(sandbox!.env.ROUTING_FILE!).routing;
    expect(routing.recipients.map((r) => [r.id, r.phone])).toEqual([
      ['vp', SANDBOX_VP_NUMBER],
      ['cro', SANDBOX_CRO_NUMBER],
    ]);
    expect(routing.routes.map((r) => [r.name, r.call])).toEqual([
      ['big deals', ['cro', 'vp']],
      ['everything else', ['vp']],
    ]);
    const accounts = createAccountsStore({ redis: redis!, prefix, secretsKey: undefined, production: false });
    expect((await accounts.list()).map((a) => a.linked_account_id)).toEqual([SANDBOX_SECOND_ACCOUNT.linkedAccountId]);
    expect(await accounts.tokenFor(SANDBOX_SECOND_ACCOUNT.linkedAccountId)).toBe(SANDBOX_SECOND_ACCOUNT.token);
    expect(await redis!.exists(baselineKeys(prefix, accountKeyOf(SANDBOX_SECOND_ACCOUNT.token)).done)).toBe(1);
    // The two webhooks, signed over the files' exact bytes: the big deal comes from the second account.
    const files = [...printed.matchAll(/--data-binary @(\/\S+)/g)].map((m) => m[1]!);
    expect(files).toHaveLength(2);
    const big = JSON.parse(readFileSync(files[1]!, 'utf8')) as { linked_account: { id: string }; data: { amount: number } };
    expect([big.linked_account.id, big.data.amount]).toEqual([SANDBOX_SECOND_ACCOUNT.linkedAccountId, 900000]);
    expect(printed).toMatch(/rings the CRO/);
  });
});
