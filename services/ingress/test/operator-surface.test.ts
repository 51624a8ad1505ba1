import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { queueNames } from '@dda/queues';
import { API_TOKEN, startIngress, type Harness } from './ingress-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startIngress();
});
afterAll(async () => h.close());

const bearer = { authorization: `Bearer ${API_TOKEN}` };
const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

async function login(): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/login',
    payload: `token=${encodeURIComponent(API_TOKEN)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/');
  const cookie = String(res.headers['set-cookie']);
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  return cookie.split(';')[0]!;
}

describe('operator pages refuse requests without credentials', () => {
  it.each(['/', '/admin/queues', '/metrics', '/events', '/alerts'])(
    'GET %s answers 401 without credentials and with a wrong token',
    async (url) => {
      for (const headers of [
        {},
        { authorization: 'Bearer not-the-token-0000000000' },
        { cookie: 'dda_session=9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      ]) {
        const res = await h.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
      }
    },
  );

  it('answers a browser on / with the sign-in form, and a script with JSON', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(401);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toMatch(/<label for="token">API token<\/label>/);
    const json = await h.app.inject({ method: 'GET', url: '/' });
    expect(json.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('Bull Board asks a browser for Basic credentials and accepts any user with the token as password', async () => {
    const bare = await h.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(bare.headers['www-authenticate']).toMatch(/^Basic /);
    expect((await h.app.inject({ method: 'GET', url: '/admin/queues', headers: basic('ops', 'wrong-password-000000') })).statusCode).toBe(
      401,
    );
    const ok = await h.app.inject({ method: 'GET', url: '/admin/queues', headers: basic('ops', API_TOKEN) });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatch(/<html/i);
    // Basic is for Bull Board only: the rest of the operator surface does not take it.
    expect((await h.app.inject({ method: 'GET', url: '/metrics', headers: basic('ops', API_TOKEN) })).statusCode).toBe(401);
  });

  it('Bull Board lists every queue of the catalog', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer });
    expect(res.statusCode).toBe(200);
    const names = (res.json() as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual([...queueNames].sort());
  });
});

describe('signing in', () => {
  it('a wrong token gets the form again (401) and no cookie', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/login',
      payload: 'token=nope',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toMatch(/role="alert"/);
  });

  it('the session cookie opens the page, its data, Bull Board and metrics; sign-out ends it', async () => {
    const cookie = await login();
    const page = await h.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.body).toMatch(/<script src="\/assets\/history.js" defer>/);
    for (const url of ['/alerts', '/admin/queues', '/metrics']) {
      expect((await h.app.inject({ method: 'GET', url, headers: { cookie } })).statusCode, url).toBe(200);
    }
    const out = await h.app.inject({ method: 'POST', url: '/logout', headers: { cookie } });
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
  });

  it('JSON sign-in works for scripts too', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/login', payload: { token: API_TOKEN } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('a cookie-authenticated change from another site is refused; from our page it goes through', async () => {
    const cookie = await login();
    const body = { deal_name: 'Cross-site test', amount: 1, stage: 'Negotiation' };
    const foreign = await h.app.inject({
      method: 'POST',
      url: '/alert',
      payload: body,
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
    });
    expect(foreign.statusCode).toBe(403);
    const foreignOrigin = await h.app.inject({
      method: 'POST',
      url: '/alert',
      payload: body,
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(foreignOrigin.statusCode).toBe(403);
    const ours = await h.app.inject({ method: 'POST', url: '/alert', payload: body, headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(ours.statusCode).toBe(202);
  });

  it('serves the page script and style without credentials (they hold no data)', async () => {
    const js = await h.app.inject({ method: 'GET', url: '/assets/history.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect((await h.app.inject({ method: 'GET', url: '/assets/history.css' })).headers['content-type']).toMatch(/text\/css/);
  });
});

describe('OpenAPI', () => {
  it('/docs/json is a valid OpenAPI 3 document that covers every route, and /docs serves the UI without auth', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const verdict = await new Validator().validate(doc);
    expect(verdict.errors ?? []).toEqual([]);
    expect(verdict.valid).toBe(true);

    // Every route we declare, less what is not ours to document: Swagger UI's own files under /docs and
    // Bull Board's private JSON API and assets under /admin/queues/ (its entry page is documented).
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    const ours = h.routes
      .flatMap((r) => [r.method].flat().map((m) => ({ method: m, url: r.url })))
      .filter(
        (r) => r.method !== 'HEAD' && !r.url.startsWith('/docs') && !(r.url.startsWith('/admin/queues/') && r.url !== '/admin/queues/'),
      );
    const asOpenApi = (url: string) => url.replace(/:(\w+)/g, '{$1}');
    const missing = ours.filter((r) => !documented.has(`${r.method} ${asOpenApi(r.url)}`)).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    for (const must of [
      'POST /webhooks/crm',
      'POST /webhooks/voice',
      'POST /alert',
      'GET /alerts',
      'GET /alerts/{id}',
      'GET /deals',
      'GET /health',
      'GET /ready',
      'GET /metrics',
      'GET /events',
      'GET /',
      'POST /login',
      'GET /admin/queues/',
    ]) {
      expect(documented, must).toContain(must);
    }

    const ui = await h.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });
});
