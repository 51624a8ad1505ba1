import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMergeBody } from '@dda/merge';
import { counterField, metricKey } from '@dda/metrics';
import { readInbox } from '@dda/queues';
import { waitUntil } from '@dda/testkit';
import { API_TOKEN, MERGE_KEY, startIngress, type Harness } from './ingress-harness.ts';

/*
 * Several linked accounts at the door: a delivery names its linked account, and without the
 * MERGE_ACCOUNT_TOKEN fallback only registered accounts are served. Not sandbox mode (a Telnyx key is set),
 * so there is no sandbox fallback token either.
 */
const fixture = readFileSync(new URL('../../../fixtures/merge/webhook.opportunity.changed.json', import.meta.url), 'utf8');
const withAccount = (id: string, tweak = '') => {
  const envelope = JSON.parse(fixture) as Record<string, any>;
  envelope.linked_account = { ...envelope.linked_account, id };
  envelope.data = { ...envelope.data, modified_at: `2030-01-01T00:00:0${tweak || '0'}Z` };
  return JSON.stringify(envelope);
};

let h: Harness;
beforeAll(async () => {
  h = await startIngress({ TELNYX_API_KEY: 'not-sandbox-telnyx-key', SECRETS_KEY: randomBytes(32).toString('base64') });
});
afterAll(async () => h.close());

const deliver = (body: string) =>
  h.app.inject({
    method: 'POST',
    url: '/webhooks/crm',
    payload: body,
    headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': signMergeBody(body, MERGE_KEY) },
  });

describe('/webhooks/crm with several linked accounts and no MERGE_ACCOUNT_TOKEN', () => {
  it('a delivery from an unknown account is answered 202, ignored, logged and counted — never queued', async () => {
    const res = await deliver(withAccount('la-nobody'));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'ignored', reason: 'unknown linked account' });
    expect(await readInbox(h.redis, h.config.REDIS_PREFIX)).toEqual([]);
    const line = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.linked_account_id === 'la-nobody');
    expect(line).toMatchObject({ status: 202, ignored: expect.stringMatching(/unknown linked account/) });
    await waitUntil(
      async () =>
        (await h.redis.hget(
          metricKey(h.config.REDIS_PREFIX, 'dda_webhooks_ignored_total'),
          counterField('dda_webhooks_ignored_total', { source: 'crm', reason: 'unknown_account' }),
        )) === '1' || undefined,
      5000,
      'the counter',
    );
  });

  it('once the account is registered its deliveries are queued, naming the account for triage', async () => {
    const reg = await h.app.inject({
      method: 'POST',
      url: '/accounts',
      headers: { authorization: `Bearer ${API_TOKEN}` },
      payload: { linked_account_id: 'la-known', account_token: 'known-account-token-123' },
    });
    expect(reg.statusCode).toBe(201);
    const res = await deliver(withAccount('la-known', '1'));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'queued' });
    const inbox = await readInbox(h.redis, h.config.REDIS_PREFIX);
    expect(inbox.map((e) => (e.data as { linkedAccountId?: string }).linkedAccountId)).toEqual(['la-known']);
  });
});
