import { createHash, randomBytes } from 'node:crypto';
import { hashTag, type RedisClient } from '@dda/redis';

export const SESSION_SECONDS = 12 * 3600;

/**
 * Browser sessions kept in Redis, so signing out ends one for good and every ingress replica agrees. The cookie
 * holds 256 random bits; Redis holds only their hash (a copy of the database opens no session) and a
 * fingerprint of the API_TOKEN it was granted under, so rotating the token ends every session.
 */
export type SessionStore = {
  /** A new session id; `replacing` (the cookie the browser sent, if any) is ended in the same step. */
  create: (replacing?: string) => Promise<string>;
  valid: (id: string | undefined) => Promise<boolean>;
  end: (id: string | undefined) => Promise<void>;
};

const ID = /^[\w-]{43}$/;
const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

export function createSessionStore(
  redis: RedisClient,
  prefix: string,
  apiToken: string | undefined,
  seconds = SESSION_SECONDS,
): SessionStore {
  const grant = apiToken ? sha(`dda-session-grant|${apiToken}`) : '';
  // One hash tag for all sessions: a sign-in replaces one session with another in one MULTI.
  const key = (id: string) => `${prefix}:${hashTag('sessions')}:${sha(id)}`;
  return {
    async create(replacing) {
      const id = randomBytes(32).toString('base64url');
      const m = redis.multi().set(key(id), grant, 'EX', seconds);
      // Rotation: the id a browser held before signing in (perhaps planted by someone else) stops working.
      if (replacing && ID.test(replacing)) m.del(key(replacing));
      await m.exec();
      return id;
    },
    async valid(id) {
      if (!id || !ID.test(id) || !grant) return false;
      return (await redis.get(key(id))) === grant;
    },
    async end(id) {
      if (id && ID.test(id)) await redis.del(key(id));
    },
  };
}
