import type { RedisClient } from '@dda/redis';
import { openSecret, sealSecret, secretsKeyFrom } from './secret-box.ts';

/** What is ever shown of a linked account: never its token. */
export type LinkedAccount = { linked_account_id: string; label: string; created_at: string };

type StoredAccount = LinkedAccount & { token: string };

export class AccountsRefusal extends Error {
  override name = 'AccountsRefusal';
  readonly code: 'secrets_key_missing';
  constructor(code: 'secrets_key_missing', message: string) {
    super(message);
    this.code = code;
  }
}

/** A token kept without SECRETS_KEY (development only) is marked so, and is never mistaken for a sealed one. */
const PLAIN = 'plain.';

/**
 * Merge linked accounts and their account tokens, in one Redis hash. Tokens are sealed with SECRETS_KEY
 * (AES-256-GCM); production refuses to keep one without it, development keeps it marked as unencrypted.
 */
export function createAccountsStore(o: { redis: RedisClient; prefix: string; secretsKey: string | undefined; production: boolean }) {
  const key = `${o.prefix}:accounts`;
  const secrets = o.secretsKey ? secretsKeyFrom(o.secretsKey) : null;

  const shown = ({ linked_account_id, label, created_at }: StoredAccount): LinkedAccount => ({ linked_account_id, label, created_at });

  return {
    /** Whether tokens are encrypted at rest here. */
    encrypted: secrets !== null,

    /** Adds the account, or replaces its token and label (rotation) keeping when it was first added. */
    async put(input: {
      linked_account_id: string;
      account_token: string;
      label: string;
    }): Promise<{ account: LinkedAccount; created: boolean }> {
      if (!secrets && o.production)
        throw new AccountsRefusal('secrets_key_missing', 'SECRETS_KEY is not set: production does not store account tokens unencrypted');
      const id = input.linked_account_id;
      const before = await o.redis.hget(key, id);
      const created_at = before ? (JSON.parse(before) as StoredAccount).created_at : new Date().toISOString();
      const token = secrets ? sealSecret(secrets, input.account_token, id) : `${PLAIN}${input.account_token}`;
      const record: StoredAccount = { linked_account_id: id, label: input.label, created_at, token };
      await o.redis.hset(key, id, JSON.stringify(record));
      return { account: shown(record), created: !before };
    },

    async list(): Promise<LinkedAccount[]> {
      const all = Object.values(await o.redis.hgetall(key)).map((raw) => shown(JSON.parse(raw) as StoredAccount));
      return all.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.linked_account_id.localeCompare(b.linked_account_id));
    },

    async remove(linkedAccountId: string): Promise<boolean> {
      return (await o.redis.hdel(key, linkedAccountId)) === 1;
    },

    /** Whether the account is registered: the webhook's check, without decrypting anything. */
    async has(linkedAccountId: string): Promise<boolean> {
      return (await o.redis.hexists(key, linkedAccountId)) === 1;
    },

    /** The account's token for Merge, or null when the account is not registered. */
    async tokenFor(linkedAccountId: string): Promise<string | null> {
      const raw = await o.redis.hget(key, linkedAccountId);
      if (!raw) return null;
      const { token } = JSON.parse(raw) as StoredAccount;
      if (token.startsWith(PLAIN)) return token.slice(PLAIN.length);
      if (!secrets) throw new Error(`the token of linked account ${linkedAccountId} is encrypted and SECRETS_KEY is not set`);
      return openSecret(secrets, token, linkedAccountId);
    },
  };
}

export type AccountsStore = ReturnType<typeof createAccountsStore>;
