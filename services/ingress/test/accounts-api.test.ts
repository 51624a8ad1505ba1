import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startIngress, type Harness } from './ingress-harness.ts';

const TOKEN = 'merge-linked-account-token-VERY-SECRET-42';
const auth = { authorization: `Bearer ${API_TOKEN}` };

let h: Harness;
let base: string;
beforeAll(async () => {
  h = await startIngress({ SECRETS_KEY: randomBytes(32).toString('base64') });
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => h.close());

const post = (body: unknown) =>
  fetch(`${base}/accounts`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('POST/GET/DELETE /accounts (real HTTP, real Redis)', () => {
  it('registers an account (201), lists it without its token, replaces the token (200), deletes it (204, then 404)', async () => {
    const created = await post({ linked_account_id: 'la-east', account_token: TOKEN, label: 'East CRM' });
    expect(created.status).toBe(201);
    const body = await created.text();
    expect(body).not.toContain(TOKEN);
    expect(JSON.parse(body)).toMatchObject({ linked_account_id: 'la-east', label: 'East CRM' });

    const list = await fetch(`${base}/accounts`, { headers: auth });
    const listed = await list.text();
    expect(listed).not.toContain(TOKEN);
    expect(JSON.parse(listed).accounts).toEqual([
      { linked_account_id: 'la-east', label: 'East CRM', created_at: expect.any(String), note_writes: null },
    ]);

    expect((await post({ linked_account_id: 'la-east', account_token: `${TOKEN}-rotated`, label: 'East CRM' })).status).toBe(200);
    expect(JSON.stringify(await h.redis.hgetall(`${h.config.REDIS_PREFIX}:accounts`))).not.toContain(TOKEN);

    expect((await fetch(`${base}/accounts/la-east`, { method: 'DELETE', headers: auth })).status).toBe(204);
    const again = await fetch(`${base}/accounts/la-east`, { method: 'DELETE', headers: auth });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: 'account_not_found' });
  });

  it('bad bodies are 400 with a reason, and no answer or log line ever holds the token', async () => {
    for (const bad of [
      {},
      { linked_account_id: 'x' },
      { linked_account_id: 'bad id!', account_token: TOKEN },
      { linked_account_id: 'la', account_token: TOKEN, extra: 1 },
    ]) {
      const res = await post(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      const text = await res.text();
      expect(text).not.toContain(TOKEN);
      expect(JSON.parse(text)).toMatchObject({ error: 'bad_request', reason: expect.any(String) });
    }
    await post({ linked_account_id: 'la-logs', account_token: TOKEN, label: '' });
    expect(h.logs.join('')).not.toContain(TOKEN);
  });

  it('refuses without the token', async () => {
    expect((await fetch(`${base}/accounts`)).status).toBe(401);
    expect((await fetch(`${base}/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(
      401,
    );
  });
});

describe('a manual alert may name its linked account', () => {
  it('is recorded on the alert, where routes that match on `accounts` see it', async () => {
    const res = await fetch(`${base}/alert`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ deal_name: 'Test', amount: 1000, stage: 'Negotiation', linked_account_id: 'la-west' }),
    });
    expect(res.status).toBe(202);
    const { alert_id } = (await res.json()) as { alert_id: string };
    expect(await (await fetch(`${base}/alerts/${alert_id}`, { headers: auth })).json()).toMatchObject({ linked_account_id: 'la-west' });
  });
});

describe('production without SECRETS_KEY', () => {
  it('refuses to store a token (503 naming SECRETS_KEY) and stores nothing', async () => {
    const apiToken = randomBytes(32).toString('base64');
    const prod = await startIngress({
      NODE_ENV: 'production',
      API_TOKEN: apiToken,
      TELNYX_API_KEY: 'telnyx-key',
      TELNYX_CONNECTION_ID: 'connection',
      TELNYX_PHONE_NUMBER: '+15550100000',
      TELNYX_PUBLIC_KEY: randomBytes(32).toString('base64'),
      MERGE_API_KEY: 'merge-key',
    });
    try {
      const res = await prod.app.inject({
        method: 'POST',
        url: '/accounts',
        headers: { authorization: `Bearer ${apiToken}` },
        payload: { linked_account_id: 'la', account_token: TOKEN },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: 'secrets_key_missing', reason: expect.stringMatching(/SECRETS_KEY/) });
      expect(res.body).not.toContain(TOKEN);
      expect((await prod.app.inject({ method: 'GET', url: '/accounts', headers: { authorization: `Bearer ${apiToken}` } })).json()).toEqual(
        { accounts: [], fallback: null },
      );
    } finally {
      await prod.close();
    }
  });
});
