import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICE_NODE_OPTIONS } from '@dda/config';
import { envSchema } from '@dda/config';
import { repoRoot } from '@dda/testkit';

/*
 * There is no Docker engine on the CI machine, so the deployment files are checked for what can go wrong
 * without one: every service present, healthy-checked and restarted, started with a command that exists,
 * and configured only with variable names the config schema knows.
 */
type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  restart?: string;
  ports?: string[];
  container_name?: string;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
};
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const serviceDirs = readdirSync(join(repoRoot, 'services')).filter((d) => existsSync(join(repoRoot, 'services', d, 'src', 'main.ts')));
const appServices = Object.entries(services).filter(([name]) => name !== 'redis');

describe('docker-compose.yml', () => {
  it('runs Redis, the ingress and every worker, each service of the repo as its own container', () => {
    expect(Object.keys(services).sort()).toEqual(['redis', ...serviceDirs].sort());
    expect(serviceDirs).toEqual(expect.arrayContaining(['ingress', 'briefing-worker', 'dialer-worker', 'call-worker']));
  });

  it('starts each service with the entry point the tests run: node services/<name>/src/main.ts', () => {
    for (const [name, svc] of appServices) {
      expect(svc.command, name).toEqual(['node', `services/${name}/src/main.ts`]);
      expect(existsSync(join(repoRoot, svc.command![1]!)), name).toBe(true);
      expect(svc.build, `${name} builds the one image`).toBe('.');
    }
  });

  it('gives every service a health check and a restart policy, and waits for a healthy Redis', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.healthcheck?.test?.length, `${name} healthcheck`).toBeGreaterThan(0);
      expect(['always', 'unless-stopped', 'on-failure'], `${name} restart`).toContain(svc.restart);
    }
    for (const [name, svc] of appServices) expect(svc.depends_on?.redis?.condition, name).toBe('service_healthy');
    expect(services.ingress!.healthcheck!.test!.join(' ')).toMatch(/\/health/);
    for (const name of ['briefing-worker', 'dialer-worker', 'call-worker']) {
      const script = services[name]!.healthcheck!.test!.find((p) => p.endsWith('.ts'));
      expect(script && existsSync(join(repoRoot, script)), `${name} health check script`).toBe(true);
    }
  });

  it('uses only environment variable names that the config schema reads', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const [name, svc] of appServices) {
      const unknown = Object.keys(svc.environment ?? {}).filter((k) => !known.has(k));
      expect(unknown, name).toEqual([]);
      expect(svc.environment?.REDIS_URL, name).toBe('redis://redis:6379');
      expect(svc.environment?.NODE_ENV, name).toBe('production');
    }
    // What production refuses to boot without, and what Telnyx needs to reach us, are passed through.
    for (const k of [
      'API_TOKEN',
      'MERGE_WEBHOOK_SIGNATURE_KEY',
      'PUBLIC_BASE_URL',
      'TELNYX_API_KEY',
      'TELNYX_PUBLIC_KEY',
      'VP_SALES_NUMBER',
    ]) {
      expect(Object.keys(services.ingress!.environment!), k).toContain(k);
    }
  });

  it('keeps Redis durable: AOF with fsync on every write, no eviction, data on a volume', () => {
    const redis = services.redis!;
    const cmd = redis.command!.join(' ');
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--appendfsync always/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(Object.keys(compose.volumes ?? {})).toContain('redis-data');
  });

  it('lets workers scale with --scale (no fixed name, no host port) and gives SIGTERM time to drain', () => {
    for (const [name, svc] of appServices) {
      expect(svc.container_name, name).toBeUndefined();
      if (name !== 'ingress') expect(svc.ports, name).toBeUndefined();
      expect(svc.stop_grace_period, name).toBe('30s');
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  it('is multi-stage, installs production dependencies from the lockfile, runs as an unprivileged user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/--frozen-lockfile --prod/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "services\/ingress\/src\/main.ts"\]$/m);
    const nodeVersion = /^NODE_VERSION=(.+)$/m.exec(readFileSync(join(repoRoot, 'scripts/bootstrap.sh'), 'utf8'))?.[1];
    expect(dockerfile).toContain(`ARG NODE_VERSION=${nodeVersion}`);
  });

  it('runs every service with the V8 flags npm start and the tests use', () => {
    expect(dockerfile).toContain(`ENV NODE_OPTIONS=${SERVICE_NODE_OPTIONS}`);
  });

  it('keeps local dependencies and secrets out of the build context', () => {
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.env', '.git', '.tools']) expect(ignore).toContain(entry);
  });
});
