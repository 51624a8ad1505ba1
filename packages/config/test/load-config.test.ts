import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, envSchema, loadConfig } from '../src/index.ts';
import { startService } from '@dda/testkit';

const base = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('configuration', () => {
  it('applies the documented defaults and derives sandbox mode from the missing Telnyx key', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      PORT: 5000,
      DEAL_THRESHOLD: 50_000,
      CALL_RETRY_ATTEMPTS: 2,
      AI_TIMEOUT_MS: 8000,
      sandbox: true,
      VP_TIMEZONE: 'UTC',
    });
    expect(c.ALERT_STAGES).toEqual(['negotiation', 'contract_sent', 'verbal_commit', 'closing']);
    expect(c.publicBaseUrl).toBe('http://localhost:5000');
    expect(loadConfig({ ...base, TELNYX_API_KEY: 'KEY123' }).sandbox).toBe(false);
  });

  it('names every wrong variable', () => {
    let message = '';
    try {
      loadConfig({ ...base, PORT: 'abc', VP_SALES_NUMBER: '555-1234', QUIET_HOURS: '9pm' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['PORT', 'VP_SALES_NUMBER', 'QUIET_HOURS']) expect(message).toContain(name);
    expect(() => loadConfig({})).toThrowError(/REDIS_URL/);
    expect(() => loadConfig({ ...base, VP_TIMEZONE: 'Mars/Olympus' })).toThrowError(/VP_TIMEZONE/);
  });

  it('refuses to run in production without API_TOKEN', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', MERGE_WEBHOOK_SIGNATURE_KEY: 'k-123456789' })).toThrowError(ConfigError);
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', MERGE_WEBHOOK_SIGNATURE_KEY: 'k-123456789' })).toThrowError(/API_TOKEN/);
  });

  it('refuses to boot in production without the vendor settings, naming each one; resolves them once', () => {
    const production = {
      ...base,
      NODE_ENV: 'production',
      API_TOKEN: 'q7Vh2LxR9mZ4kT1wN8pB6sJ3dF0gY5cE2aU7iO4lK9n',
      MERGE_WEBHOOK_SIGNATURE_KEY: 'k-123456789',
    };
    let message = '';
    try {
      loadConfig(production);
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['TELNYX_API_KEY', 'TELNYX_CONNECTION_ID', 'TELNYX_PHONE_NUMBER', 'TELNYX_PUBLIC_KEY', 'MERGE_API_KEY'])
      expect(message).toContain(`${name}: required in production`);
    const vendors = {
      TELNYX_API_KEY: 'KEY-live',
      TELNYX_CONNECTION_ID: 'conn-1',
      TELNYX_PHONE_NUMBER: '+14155550100',
      TELNYX_PUBLIC_KEY: Buffer.alloc(32, 7).toString('base64'),
      MERGE_API_KEY: 'merge-live',
    };
    const cfg = loadConfig({ ...production, ...vendors });
    expect(cfg.vendors).toMatchObject({
      telnyx: { apiKey: 'KEY-live', connectionId: 'conn-1', phoneNumber: '+14155550100' },
      merge: { apiKey: 'merge-live', accountToken: null },
    });
    expect(() => loadConfig({ ...production, ...vendors, TELNYX_CONNECTION_ID: '' })).toThrowError(
      /TELNYX_CONNECTION_ID: required in production/,
    );
    // Sandbox defaults exist only in sandbox mode (no Telnyx key), never beside real keys.
    expect(loadConfig(base).vendors.telnyx.connectionId).toBe('sandbox-connection');
  });

  it('.env.example lists every variable of the schema', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(Object.keys(envSchema.shape).filter((k) => !listed.has(k))).toEqual([]);
  });

  it('a service given a wrong value stops at boot with a message naming the variable', async () => {
    const svc = startService('ingress', { REDIS_URL: 'redis://127.0.0.1:1', PORT: 'not-a-port' });
    const code = await new Promise<number | null>((resolve) => svc.proc.once('exit', resolve));
    expect(code).toBe(78);
    expect(svc.lines.join('\n')).toMatch(/PORT/);
  });
});
