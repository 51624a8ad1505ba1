import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectTestRedis, deleteKeys, uniquePrefix } from '@dda/testkit';
import { AccountsRefusal, createAccountsStore, openSecret, sealSecret, secretsKeyFrom } from '../src/index.ts';

let redis: Redis;
const prefixes: string[] = [];
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  for (const p of prefixes) await deleteKeys(redis, p);
  redis.disconnect();
});
const fresh = () => {
  const p = uniquePrefix('accounts');
  prefixes.push(p);
  return p;
};
const KEY = randomBytes(32).toString('base64');
const TOKEN = 'merge-account-token-SECRET-1234567890';

describe('sealed secrets (AES-256-GCM)', () => {
  const key = secretsKeyFrom(KEY);
  it('opens what it sealed, with a fresh nonce each time', () => {
    const a = sealSecret(key, TOKEN, 'la-1');
    const b = sealSecret(key, TOKEN, 'la-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain(TOKEN);
    expect(openSecret(key, a, 'la-1')).toBe(TOKEN);
  });
  it('refuses a sealed token moved to another account, a tampered one, or another key', () => {
    const sealed = sealSecret(key, TOKEN, 'la-1');
    expect(() => openSecret(key, sealed, 'la-2')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x'.repeat(TOKEN.length)).toString('base64url');
    expect(() => openSecret(key, parts.join('.'), 'la-1')).toThrow();
    expect(() => openSecret(secretsKeyFrom(randomBytes(32).toString('base64')), sealed, 'la-1')).toThrow();
  });
});

describe('the accounts store (real Redis)', () => {
  it('keeps tokens encrypted at rest and hands them back per account; listing never shows them', async () => {
    const prefix = fresh();
    const store = createAccountsStore({ redis, prefix, secretsKey: KEY, production: true });
    expect(await store.put({ linked_account_id: 'la-east', account_token: TOKEN, label: 'East CRM' })).toMatchObject({
      created: true,
      account: { linked_account_id: 'la-east', label: 'East CRM' },
    });
    await store.put({ linked_account_id: 'la-west', account_token: 'other-token-abcdef', label: '' });
    const raw = JSON.stringify(await redis.hgetall(`${prefix}:accounts`));
    expect(raw).not.toContain(TOKEN);
    expect(await store.tokenFor('la-east')).toBe(TOKEN);
    expect(await store.tokenFor('la-west')).toBe('other-token-abcdef');
    expect(await store.tokenFor('la-unknown')).toBeNull();
    expect([await store.has('la-east'), await store.has('la-unknown')]).toEqual([true, false]);
    const list = await store.list();
    expect(list.map((a) => a.linked_account_id)).toEqual(['la-east', 'la-west']);
    expect(JSON.stringify(list)).not.toContain(TOKEN);
    expect(Object.keys(list[0]!).sort()).toEqual(['created_at', 'label', 'linked_account_id']);
  });

  it('putting an account again rotates its token and keeps when it was added; remove forgets it', async () => {
    const store = createAccountsStore({ redis, prefix: fresh(), secretsKey: KEY, production: true });
    const first = await store.put({ linked_account_id: 'la-1', account_token: 'old-token-123456', label: 'a' });
    const again = await store.put({ linked_account_id: 'la-1', account_token: 'new-token-123456', label: 'b' });
    expect(again).toEqual({ created: false, account: { linked_account_id: 'la-1', label: 'b', created_at: first.account.created_at } });
    expect(await store.tokenFor('la-1')).toBe('new-token-123456');
    expect(await store.remove('la-1')).toBe(true);
    expect(await store.remove('la-1')).toBe(false);
    expect(await store.tokenFor('la-1')).toBeNull();
  });

  it('production refuses to store a token without SECRETS_KEY; development keeps it, marked unencrypted', async () => {
    const prod = createAccountsStore({ redis, prefix: fresh(), secretsKey: undefined, production: true });
    await expect(prod.put({ linked_account_id: 'la-1', account_token: TOKEN, label: '' })).rejects.toBeInstanceOf(AccountsRefusal);
    expect(await prod.list()).toEqual([]);
    const dev = createAccountsStore({ redis, prefix: fresh(), secretsKey: undefined, production: false });
    await dev.put({ linked_account_id: 'la-1', account_token: TOKEN, label: '' });
    expect(dev.encrypted).toBe(false);
    expect(await dev.tokenFor('la-1')).toBe(TOKEN);
  });
});
