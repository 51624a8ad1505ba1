import { hashTag, type RedisClient } from '@dda/redis';

/**
 * Counts wrong sign-ins per client address and across all addresses in a fixed window, in Redis so every
 * replica shares the count. Only failures count: an operator who signs in correctly is never slowed, and a
 * guesser is stopped after a handful of tries wherever they land. (@fastify/rate-limit counts every request
 * and takes one limit per route; we need two limits over failures only, which is three Redis commands.)
 */
export type SignInThrottle = {
  /** Before checking a token: `retryAfter` seconds when this address, or everyone, has failed too often. */
  blocked: (address: string) => Promise<{ scope: 'address' | 'global'; retryAfter: number } | null>;
  failed: (address: string) => Promise<void>;
  /** Counts a refusal by reason (read by /metrics as dda_sign_in_refused_total). */
  refused: (reason: string) => Promise<void>;
};

const signInBase = (prefix: string) => `${prefix}:${hashTag('signin')}`;
/** Hash: refused sign-ins by reason, read by the metrics scrape. */
export const signInRefusedKey = (prefix: string) => `${signInBase(prefix)}:refused`;

export function createSignInThrottle(
  redis: RedisClient,
  prefix: string,
  limits: { perAddress: number; global: number; windowSeconds: number },
): SignInThrottle {
  // One hash tag: a failure counts against its address and everyone in one MULTI.
  const addressKey = (a: string) => `${signInBase(prefix)}:fail:${a}`;
  const globalKey = `${signInBase(prefix)}:fail:*`;
  const totals = signInRefusedKey(prefix);
  const ttl = async (key: string) => Math.max(1, Math.ceil((await redis.pttl(key)) / 1000));
  return {
    async blocked(address) {
      const [mine, all] = await redis.mget(addressKey(address), globalKey);
      if (Number(mine ?? 0) >= limits.perAddress) return { scope: 'address', retryAfter: await ttl(addressKey(address)) };
      if (Number(all ?? 0) >= limits.global) return { scope: 'global', retryAfter: await ttl(globalKey) };
      return null;
    },
    async failed(address) {
      // EXPIRE NX: the window starts at the first failure and is not pushed back by later ones.
      await redis
        .multi()
        .incr(addressKey(address))
        .expire(addressKey(address), limits.windowSeconds, 'NX')
        .incr(globalKey)
        .expire(globalKey, limits.windowSeconds, 'NX')
        .exec();
    },
    async refused(reason) {
      await redis.hincrby(totals, reason, 1);
    },
  };
}
