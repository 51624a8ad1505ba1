import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectTestRedis, deleteKeys, uniquePrefix } from '@dda/testkit';
import { createAccountScope, createAccountsStore } from '../src/index.ts';

let redis: Redis;
const prefix = uniquePrefix('scope');
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('per-account scope (real Redis)', () => {
  it('builds once per token, rebuilds after a rotation, serves unknown accounts only with a fallback', async () => {
    const accounts = createAccountsStore({ redis, prefix, secretsKey: randomBytes(32).toString('base64'), production: true });
    await accounts.put({ linked_account_id: 'la-east', account_token: 'east-token-1', label: '' });
    const builds: string[] = [];
    const build = (token: string) => {
      builds.push(token);
      return { token };
    };
    const strict = createAccountScope({ accounts, fallbackToken: null, build });
    expect(await strict.forAccount('la-east')).toMatchObject({ value: { token: 'east-token-1' }, via: 'registered' });
    await strict.forAccount('la-east');
    expect(builds).toEqual(['east-token-1']);
    expect(await strict.forAccount('la-unknown')).toBeNull();
    expect(await strict.forAccount(undefined)).toBeNull();

    await accounts.put({ linked_account_id: 'la-east', account_token: 'east-token-2', label: '' });
    expect((await strict.forAccount('la-east'))?.value.token).toBe('east-token-2');

    const lenient = createAccountScope({ accounts, fallbackToken: 'fallback-token', build });
    expect(await lenient.forAccount('la-unknown')).toMatchObject({
      value: { token: 'fallback-token' },
      via: 'fallback',
      linkedAccountId: 'la-unknown',
    });
    expect((await lenient.all()).map((s) => [s.linkedAccountId, s.via])).toEqual([
      ['la-east', 'registered'],
      [null, 'fallback'],
    ]);
  });
});
