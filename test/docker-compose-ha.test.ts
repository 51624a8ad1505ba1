import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema, loadConfig } from '@dda/config';
import { parseRedisAddress } from '@dda/redis';
import { repoRoot } from '@dda/testkit';

/*
 * docker-compose.ha.yml is layered over docker-compose.yml (`-f docker-compose.yml -f docker-compose.ha.yml`).
 * No Docker engine here: the merged result is checked for what goes wrong without one — every app service on
 * Sentinel and on nothing else, sentinels that can reach a quorum, a replica as durable as its master.
 */
type Service = {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  restart?: string;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };
const load = (f: string) => parse(readFileSync(join(repoRoot, f), 'utf8'), { merge: true }) as Compose;
const base = load('docker-compose.yml');
const ha = load('docker-compose.ha.yml');
// Compose's merge of an override file: maps (environment, depends_on) merge key by key, sequences are replaced.
const merged: Record<string, Service> = {};
for (const name of new Set([...Object.keys(base.services), ...Object.keys(ha.services)])) {
  const a = base.services[name] ?? {};
  const b = ha.services[name] ?? {};
  merged[name] = { ...a, ...b, environment: { ...a.environment, ...b.environment }, depends_on: { ...a.depends_on, ...b.depends_on } };
}
const apps = ['ingress', 'briefing-worker', 'dialer-worker', 'call-worker'];
const sentinels = Object.keys(merged).filter((n) => n.startsWith('sentinel-'));

describe('docker-compose.ha.yml over docker-compose.yml', () => {
  it('points every app service at the sentinels, and only at them', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of apps) {
      const env = merged[name]!.environment!;
      expect(
        Object.keys(ha.services[name]!.environment!).filter((k) => !known.has(k)),
        name,
      ).toEqual([]);
      const redisEnv = Object.fromEntries(
        Object.entries(env)
          .filter(([k]) => k.startsWith('REDIS_') && k !== 'REDIS_PREFIX')
          .map(([k, v]) => [k, v.replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1')]),
      );
      const cfg = loadConfig(redisEnv);
      const topology = parseRedisAddress(cfg.REDIS_URL);
      expect(topology.kind, name).toBe('sentinel');
      if (topology.kind !== 'sentinel') continue;
      expect(topology.sentinels.map((s) => `${s.host}:${s.port}`).sort(), name).toEqual(sentinels.map((s) => `${s}:26379`).sort());
      expect(cfg.REDIS_MIN_REPLICAS_ACK, name).toBe(1);
      for (const s of sentinels) expect(merged[name]!.depends_on?.[s]?.condition, `${name} waits for ${s}`).toBe('service_healthy');
    }
  });

  it('runs three sentinels that monitor the master by name with a quorum of two, keeping what they learn', () => {
    expect(sentinels).toHaveLength(3);
    for (const s of sentinels) {
      const script = merged[s]!.command!.join(' ');
      expect(script).toMatch(/sentinel monitor dda redis 6379 2/);
      expect(script).toMatch(/--sentinel/);
      // Written only when absent: a restarted sentinel keeps the failovers it saw.
      expect(script).toMatch(/\[ -f \/data\/sentinel\.conf \] \|\|/);
      expect(
        merged[s]!.volumes?.some((v) => v.endsWith(':/data')),
        s,
      ).toBe(true);
      expect(merged[s]!.healthcheck?.test?.join(' ')).toMatch(/get-master-addr-by-name dda/);
      expect(merged[s]!.restart).toBe('unless-stopped');
    }
  });

  it('keeps a replica as durable as the master, replicating from it', () => {
    const master = merged['redis']!.command!.join(' ');
    const replica = merged['redis-replica']!.command!.join(' ');
    for (const cmd of [master, replica]) {
      expect(cmd).toMatch(/--appendonly yes/);
      expect(cmd).toMatch(/--appendfsync always/);
      expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    }
    expect(replica).toMatch(/--replicaof redis 6379/);
    expect(merged['redis-replica']!.healthcheck?.test?.length).toBeGreaterThan(0);
    for (const v of ['redis-replica-data', ...sentinels.map((s) => `${s}-data`)]) expect(Object.keys(ha.volumes ?? {})).toContain(v);
  });
});
