import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaScript = { source: string; sha: string };

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * EVALSHA first: on the hot paths (a sighting per CRM change, a lock renewal per call) sending the script's
 * text every time cost more than running it. NOSCRIPT (a restarted or flushed Redis) falls back to EVAL,
 * which also caches the script again.
 */
export async function runScript(redis: Redis, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
