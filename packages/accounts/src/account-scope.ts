import type { AccountsStore } from './accounts-store.ts';

export type Scoped<T> = { value: T; linkedAccountId: string | null; via: 'registered' | 'fallback' };

/**
 * Whatever is built on one linked account's token — a Merge client (the budget is per token), its name
 * caches, its baseline — made on first use and made again when the token was replaced. A linked account not
 * registered is served by the fallback token (MERGE_ACCOUNT_TOKEN) when there is one, else by nobody.
 */
export function createAccountScope<T>(o: {
  accounts: Pick<AccountsStore, 'tokenFor' | 'list'>;
  fallbackToken: string | null;
  build: (token: string, linkedAccountId: string | null) => T;
}) {
  const built = new Map<string, { token: string; value: T }>();
  const FALLBACK = '\u0000fallback';

  function reuse(key: string, token: string, linkedAccountId: string | null): T {
    const hit = built.get(key);
    if (hit && hit.token === token) return hit.value;
    const value = o.build(token, linkedAccountId);
    built.set(key, { token, value });
    return value;
  }

  async function forAccount(linkedAccountId: string | null | undefined): Promise<Scoped<T> | null> {
    if (linkedAccountId) {
      const token = await o.accounts.tokenFor(linkedAccountId);
      if (token) return { value: reuse(linkedAccountId, token, linkedAccountId), linkedAccountId, via: 'registered' };
    }
    if (!o.fallbackToken) return null;
    return { value: reuse(FALLBACK, o.fallbackToken, null), linkedAccountId: linkedAccountId ?? null, via: 'fallback' };
  }

  return {
    forAccount,
    /** Every account served: each registered one, then the fallback (for the backstop poll and the baseline). */
    async all(): Promise<Scoped<T>[]> {
      const out: Scoped<T>[] = [];
      for (const a of await o.accounts.list()) {
        const s = await forAccount(a.linked_account_id);
        if (s?.via === 'registered') out.push(s);
      }
      if (o.fallbackToken) out.push({ value: reuse(FALLBACK, o.fallbackToken, null), linkedAccountId: null, via: 'fallback' });
      return out;
    },
  };
}

export type AccountScope<T> = ReturnType<typeof createAccountScope<T>>;
