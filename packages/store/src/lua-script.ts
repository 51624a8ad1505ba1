import { createHash } from 'node:crypto';
import type { RedisClient } from '@dda/redis';

export type LuaScript = { source: string; sha: string };

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * EVALSHA first: on the hot paths (a sighting per CRM change, a lock renewal per call) sending the script's
 * text every time cost more than running it. NOSCRIPT (a restarted or flushed Redis) falls back to EVAL,
 * which also caches the script again.
 */
export async function runScript(redis: RedisClient, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}

/**
 * A script whose keys have names: `slots` lists them in KEYS order, and the script starts with a header that
 * binds each name (`K.alert` is KEYS[3]), so neither side counts positions. Arguments travel as one JSON
 * object, read as `A` (`A.id`, `A.doc`). Every key stays in KEYS, as Redis Cluster requires.
 */
export type NamedScript<Slot extends string> = LuaScript & { slots: readonly Slot[] };

export function namedScript<const Slot extends string>(slots: readonly Slot[], body: string): NamedScript<Slot> {
  const header = ['local K = {}', ...slots.map((name, i) => `K.${name} = KEYS[${i + 1}]`), 'local A = cjson.decode(ARGV[1])'].join('\n');
  return { ...luaScript(`${header}\n${body}`), slots };
}

export function runNamedScript<Slot extends string>(
  redis: RedisClient,
  script: NamedScript<Slot>,
  keys: Record<Slot, string>,
  args: Record<string, unknown>,
): Promise<unknown> {
  return runScript(
    redis,
    script,
    script.slots.map((name) => keys[name]),
    [JSON.stringify(args)],
  );
}
