import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { deleteKeys, freePort, startService, testRedisUrl, uniquePrefix } from '@dda/testkit';
import { API_TOKEN, startIngress, type Harness } from './ingress-harness.ts';

const doc = {
  recipients: [
    { id: 'vp', name: 'Jordan Lee', phone: '+15550100100', timezone: 'America/New_York', quiet_hours: '21:00-07:00' },
    { id: 'cro', name: 'Alex Kim', phone: '+15550100400' },
  ],
  routes: [
    { name: 'big deals', match: { min_amount: 500000 }, call: ['cro', 'vp'] },
    { name: 'everything else', match: {}, call: ['vp'] },
  ],
  reps: [{ email: 'priya@seller.example', name: 'Priya Raman', phone: '+15550100201' }],
};

let h: Harness;
let base: string;
beforeAll(async () => {
  h = await startIngress({ VP_SALES_NUMBER: '+15550100001', ESCALATION_NUMBERS: '+15550100009' });
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => h.close());

const auth = { authorization: `Bearer ${API_TOKEN}` };
const put = (body: unknown) =>
  fetch(`${base}/routing`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = async (path: string) => (await (await fetch(`${base}${path}`, { headers: auth })).json()) as any;

describe('PUT /routing, GET /routing, GET /routing/history (real HTTP, real Redis)', () => {
  it("before any document, the environment's routing is in force as version 0", async () => {
    const cur = await get('/routing');
    expect(cur).toMatchObject({ version: 0, source: 'environment' });
    expect(cur.routing.routes).toEqual([{ name: 'everything', match: {}, call: ['vp', 'escalation-1'] }]);
  });

  it('a valid document answers 200 with version 1, and GET /routing shows it', async () => {
    const res = await put(doc);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: 1 });
    const cur = await get('/routing');
    expect(cur).toMatchObject({ version: 1, source: 'document' });
    expect(cur.routing.routes[0]).toEqual(doc.routes[0]);
  });

  it('an invalid document answers 400 naming every problem, and version 1 stays in force (acceptance 2)', async () => {
    const bad = structuredClone(doc) as any;
    bad.routes[0].call = ['cro', 'ceo'];
    bad.recipients[1].phone = '555-0100';
    bad.recipients[0].timezone = 'Atlantis/Capital';
    bad.routes[1].call = [];
    const res = await put(bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.error).toBe('invalid_routing');
    expect(body.problems).toEqual(
      expect.arrayContaining([
        { path: 'routes.0.call.1', message: 'unknown recipient "ceo"' },
        { path: 'recipients.1.phone', message: expect.stringMatching(/E\.164/) },
        { path: 'recipients.0.timezone', message: expect.stringMatching(/IANA/) },
        { path: 'routes.1.call', message: expect.stringMatching(/at least one recipient/) },
      ]),
    );
    expect(body.problems).toHaveLength(4);
    expect((await get('/routing')).version).toBe(1);
    expect((await get('/routing')).routing.routes[0].call).toEqual(['cro', 'vp']);
  });

  it('bad bodies are 4xx with reasons, never 500', async () => {
    const notJson = await fetch(`${base}/routing`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"recipients": [',
    });
    expect(notJson.status).toBe(400);
    for (const body of [[], 'text', 42, null, { recipients: {} }]) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as any).problems.length).toBeGreaterThan(0);
    }
  });

  it('the history lists versions newest first with time and what changed; an identical PUT adds none', async () => {
    const next = structuredClone(doc);
    next.routes[0]!.call = ['cro'];
    expect(await (await put(next)).json()).toEqual({ version: 2 });
    expect(await (await put(next)).json()).toEqual({ version: 2 });
    const { history } = await get('/routing/history');
    expect(history.map((e: any) => [e.version, e.summary])).toEqual([
      [2, 'routes ~big deals'],
      [1, 'first version: 2 recipients, 2 routes, 1 rep'],
    ]);
    expect(Date.parse(history[0].saved_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses without the token', async () => {
    expect((await fetch(`${base}/routing`)).status).toBe(401);
    expect((await fetch(`${base}/routing`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(
      401,
    );
    expect((await fetch(`${base}/routing/history`)).status).toBe(401);
  });

  it('the OpenAPI document describes the routing routes and stays valid', async () => {
    const spec = (await (await fetch(`${base}/docs/json`)).json()) as any;
    expect(spec.paths['/routing'].put.requestBody.content['application/json'].schema.properties).toHaveProperty('recipients');
    expect(spec.paths['/routing/history'].get).toBeDefined();
    const result = await new Validator().validate(spec);
    expect(result.errors ?? []).toEqual([]);
  });
});

describe('ROUTING_FILE at boot', () => {
  it('a YAML file becomes the routing in force; a file with problems stops the ingress naming them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-boot-'));
    const file = join(dir, 'routing.yaml');
    writeFileSync(file, 'recipients:\n  - {id: vp, name: Jordan Lee, phone: "+15550100100"}\nroutes:\n  - {name: all, call: [vp]}\n');
    const booted = await startIngress({ ROUTING_FILE: file });
    try {
      const res = await booted.app.inject({ method: 'GET', url: '/routing', headers: auth });
      expect(res.json()).toMatchObject({ version: 1, source: 'document', routing: { routes: [{ name: 'all', call: ['vp'] }] } });
    } finally {
      await booted.close();
    }
    writeFileSync(file, 'recipients: []\nroutes:\n  - {name: all, call: [vp]}\n');
    await expect(startIngress({ ROUTING_FILE: file })).rejects.toThrow(/routes\.0\.call\.0: unknown recipient "vp"/);
  });

  it('the real ingress process stores it at boot, though its Redis connection queues nothing before it is up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-boot-'));
    const file = join(dir, 'routing.json');
    writeFileSync(file, JSON.stringify(doc));
    const prefix = uniquePrefix('routing-boot');
    const port = await freePort();
    const svc = startService('ingress', {
      REDIS_URL: await testRedisUrl(),
      REDIS_PREFIX: prefix,
      PORT: String(port),
      API_TOKEN,
      ROUTING_FILE: file,
      LOG_LEVEL: 'info',
    });
    try {
      await svc.waitFor(/ingress listening/, 20_000);
      expect(svc.lines.some((l) => /ROUTING_FILE applied/.test(l))).toBe(true);
      const cur = (await (await fetch(`http://127.0.0.1:${port}/routing`, { headers: auth })).json()) as any;
      expect(cur).toMatchObject({ version: 1, source: 'document' });
      expect(cur.routing.routes.map((r: any) => r.name)).toEqual(['big deals', 'everything else']);
    } finally {
      await svc.stop();
      const { Redis } = await import('ioredis');
      const r = new Redis(await testRedisUrl());
      await deleteKeys(r, prefix);
      r.disconnect();
    }
  }, 40_000);
});
