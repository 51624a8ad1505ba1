import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.ts';
import { tokenEntropyBits } from '../src/env-schema.ts';

const production = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  NODE_ENV: 'production',
  MERGE_WEBHOOK_SIGNATURE_KEY: 'k-123456789',
  MERGE_API_KEY: 'merge-key',
  TELNYX_API_KEY: 'telnyx-key',
  TELNYX_CONNECTION_ID: 'conn-1',
  TELNYX_PHONE_NUMBER: '+14155550100',
  TELNYX_PUBLIC_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('API_TOKEN strength', () => {
  it('production refuses a guessable token, naming API_TOKEN', () => {
    for (const weak of ['aaaaaaaaaaaaaaaa', 'a'.repeat(64), 'password12345678', 'abababababababababababababababab']) {
      expect(() => loadConfig({ ...production, API_TOKEN: weak }), weak).toThrowError(/API_TOKEN: too guessable for production/);
    }
  });

  it('production accepts random tokens of 128 bits or more', () => {
    for (const strong of [randomBytes(32).toString('base64'), randomBytes(32).toString('hex'), randomBytes(24).toString('base64url')]) {
      expect(tokenEntropyBits(strong), strong).toBeGreaterThanOrEqual(128);
      expect(loadConfig({ ...production, API_TOKEN: strong }).API_TOKEN).toBe(strong);
    }
  });

  it('outside production the length rule alone applies (tests and the sandbox use fixed tokens)', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', API_TOKEN: 'aaaaaaaaaaaaaaaa' }).API_TOKEN).toBe('aaaaaaaaaaaaaaaa');
  });
});
