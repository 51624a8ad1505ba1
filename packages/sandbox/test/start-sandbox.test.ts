import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { accountKeyOf } from '@dda/merge';
import { baselineKeys } from '@dda/alerting';
import { createAlertsRepository } from '@dda/store';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import { startSandbox, type Sandbox } from '../src/index.ts';
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
        fetch(`${merge}/crm/v1/stages`, { headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.mergeApiKey}`, 'x-account-token': SANDBOX_CREDENTIALS.mergeAccountToken } }).then((r) => r.status),
      ),
    );
    expect(statuses).toContain(429);
  });
});
