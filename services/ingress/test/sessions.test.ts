import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startIngress, type Harness } from './ingress-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startIngress();
});
afterAll(async () => h.close());

const form = { 'content-type': 'application/x-www-form-urlencoded' };
let nextAddress = 1;
/** Each test signs in from its own address, so the per-address throttle of one test does not touch another. */
const freshAddress = () => `10.1.0.${nextAddress++}`;

async function signIn(remoteAddress: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/login',
    payload: `token=${encodeURIComponent(API_TOKEN)}`,
    headers: { ...form, ...headers },
    remoteAddress,
  });
  expect(res.statusCode).toBe(303);
  return String(res.headers['set-cookie']).split(';')[0]!;
}
const get = (url: string, cookie: string) => h.app.inject({ method: 'GET', url, headers: { cookie } });

describe('sessions live in Redis', () => {
  it('a cookie used after sign-out gets 401', async () => {
    const cookie = await signIn(freshAddress());
    expect((await get('/alerts', cookie)).statusCode).toBe(200);
    const out = await h.app.inject({ method: 'POST', url: '/logout', headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    // The browser forgot the cookie; a copy of it (a stolen one) no longer works anywhere.
    for (const url of ['/alerts', '/metrics', '/admin/queues', '/events']) expect((await get(url, cookie)).statusCode, url).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/', headers: { cookie, accept: 'text/html' } })).statusCode).toBe(401);
  });

  it('signing in again rotates the session: the cookie the browser came with stops working', async () => {
    const first = await signIn(freshAddress());
    const second = await signIn(freshAddress(), { cookie: first });
    expect(second).not.toBe(first);
    expect((await get('/alerts', first)).statusCode).toBe(401);
    expect((await get('/alerts', second)).statusCode).toBe(200);
  });

  it('Redis holds a hash of the session id, not the id', async () => {
    const cookie = await signIn(freshAddress());
    const id = cookie.split('=')[1]!;
    expect(id).toMatch(/^[\w-]{43}$/);
    const keys = await h.redis.keys(`${h.config.REDIS_PREFIX}:{sessions}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => k.includes(id))).toBe(false);
  });

  it('sign-out from another site is refused (403) and the session goes on', async () => {
    const cookie = await signIn(freshAddress());
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }]) {
      const res = await h.app.inject({ method: 'POST', url: '/logout', headers: { cookie, ...headers } });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'cross_site' });
    }
    expect((await get('/alerts', cookie)).statusCode).toBe(200);
  });

  it('sessions granted under one API_TOKEN end when the token is rotated', async () => {
    const cookie = await signIn(freshAddress());
    const rotated = await startIngress({ API_TOKEN: 'a-rotated-token-9876543210zyxw', REDIS_PREFIX: h.config.REDIS_PREFIX });
    try {
      expect((await rotated.app.inject({ method: 'GET', url: '/alerts', headers: { cookie } })).statusCode).toBe(401);
    } finally {
      await rotated.app.close();
      rotated.redis.disconnect();
    }
  });
});

describe('sign-in throttling', () => {
  it('20 wrong sign-ins from one address: the first 10 get 401, the rest 429 with Retry-After; the right token too is held off; other addresses are not', async () => {
    const address = freshAddress();
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 20; i++) {
      last = await h.app.inject({ method: 'POST', url: '/login', payload: { token: `wrong-${i}` }, remoteAddress: address });
      codes.push(last.statusCode);
    }
    expect(codes).toEqual([...Array(10).fill(401), ...Array(10).fill(429)]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last!.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(last!.json()).toMatchObject({ error: 'too_many_requests' });
    expect((await h.app.inject({ method: 'POST', url: '/login', payload: { token: API_TOKEN }, remoteAddress: address })).statusCode).toBe(
      429,
    );
    await signIn(freshAddress());
    expect(h.logs.some((l) => l.includes('"error":"too_many_sign_ins"') && l.includes('"url":"/login"'))).toBe(true);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(metrics.body).toMatch(/dda_sign_in_refused_total\{reason="throttled_address"\} (1[1-9]|[2-9]\d)/);
    expect(metrics.body).toMatch(/dda_sign_in_refused_total\{reason="bad_token"\} \d+/);
  });

  it('X-Forwarded-For does not dodge the throttle unless the peer is a configured proxy (TRUST_PROXY)', async () => {
    const address = freshAddress();
    for (let i = 0; i < 10; i++) await h.app.inject({ method: 'POST', url: '/login', payload: { token: 'wrong' }, remoteAddress: address });
    const spoofed = await h.app.inject({
      method: 'POST',
      url: '/login',
      payload: { token: 'wrong' },
      remoteAddress: address,
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(spoofed.statusCode).toBe(429);

    const behindProxy = await startIngress({ TRUST_PROXY: '127.0.0.1' });
    try {
      const viaProxy = (client: string) =>
        behindProxy.app.inject({
          method: 'POST',
          url: '/login',
          payload: { token: 'wrong' },
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': client },
        });
      for (let i = 0; i < 10; i++) expect((await viaProxy('198.51.100.7')).statusCode).toBe(401);
      expect((await viaProxy('198.51.100.7')).statusCode).toBe(429);
      expect((await viaProxy('198.51.100.8')).statusCode).toBe(401);
    } finally {
      await behindProxy.close();
    }
  });

  it('wrong sign-ins from many addresses trip the global limit', async () => {
    const g = await startIngress({ SIGN_IN_MAX_FAILURES_GLOBAL: '5' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 8; i++)
        codes.push(
          (await g.app.inject({ method: 'POST', url: '/login', payload: { token: 'wrong' }, remoteAddress: `10.2.0.${i}` })).statusCode,
        );
      expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    } finally {
      await g.close();
    }
  });
});

describe('API_TOKEN strength in production', () => {
  const boot = (token: string) =>
    spawnSync(process.execPath, [new URL('../src/main.ts', import.meta.url).pathname], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        API_TOKEN: token,
        MERGE_WEBHOOK_SIGNATURE_KEY: 'k-123456789',
        REDIS_URL: 'redis://127.0.0.1:1',
        PORT: '0',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('a weak token stops the ingress at boot with a message naming API_TOKEN', () => {
    const res = boot('aaaaaaaaaaaaaaaa');
    expect(res.status).toBe(78);
    expect(res.stderr).toMatch(/API_TOKEN: too guessable for production/);
  }, 30_000);
});
