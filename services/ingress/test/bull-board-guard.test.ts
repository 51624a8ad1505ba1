import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueNames } from '@dda/queues';
import { API_TOKEN, startIngress, type Harness } from './ingress-harness.ts';

const bearer = { authorization: `Bearer ${API_TOKEN}` };
const addJob = {
  name: 'call.apply-event',
  data: { eventId: 'forged', eventType: 'call.gather.ended', occurredAt: null, payload: { digits: '1' }, receivedAt: 'x' },
  options: {},
};

async function jobCount(h: Harness, queue: string): Promise<number> {
  const c = await h.queues.byName[queue as 'call-events'].getJobCounts(
    'waiting',
    'active',
    'delayed',
    'completed',
    'failed',
    'prioritized',
  );
  return Object.values(c).reduce((a, n) => a + n, 0);
}

describe('Bull Board in the default (read-only) mode', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startIngress();
  });
  afterAll(async () => h.close());

  it('refuses pause, clean, add and every other write on every queue with 403, and changes nothing', async () => {
    for (const queue of queueNames) {
      const writes = [
        { method: 'PUT', url: `/admin/queues/api/queues/${queue}/pause` },
        { method: 'PUT', url: `/admin/queues/api/queues/${queue}/clean/completed` },
        { method: 'POST', url: `/admin/queues/api/queues/${queue}/add`, payload: addJob },
        { method: 'PUT', url: `/admin/queues/api/queues/${queue}/empty` },
        { method: 'PUT', url: `/admin/queues/api/queues/${queue}/obliterate` },
      ] as const;
      for (const w of writes) {
        const res = await h.app.inject({ ...w, headers: bearer });
        expect(res.statusCode, `${w.method} ${w.url}`).toBe(403);
        expect(res.json().reason).toMatch(/read-only/);
      }
      expect(await h.queues.byName[queue].isPaused(), queue).toBe(false);
      expect(await jobCount(h, queue), queue).toBe(0);
    }
    for (const url of ['/admin/queues/api/queues/pause', '/admin/queues/api/queues/resume']) {
      expect((await h.app.inject({ method: 'PUT', url, headers: bearer })).statusCode, url).toBe(403);
    }
    expect(h.logs.some((l) => l.includes('"error":"forbidden"') && l.includes('/admin/queues/api/queues/call-events/add'))).toBe(true);
  });

  it('still shows every queue', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: bearer });
    expect(res.statusCode).toBe(200);
    const queues = (res.json() as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    expect(queues.map((q) => q.name).sort()).toEqual([...queueNames].sort());
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('serves the board and the docs with a CSP that forbids framing, and nosniff', async () => {
    const docs = await h.app.inject({ method: 'GET', url: '/docs' });
    const docsPage = docs.statusCode === 302 ? new URL(String(docs.headers.location), 'http://x/docs/').pathname : '/docs';
    for (const url of ['/admin/queues', docsPage]) {
      const res = await h.app.inject({ method: 'GET', url, headers: bearer });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-security-policy'], url).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['content-security-policy'], url).toMatch(/script-src 'self'/);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
    // Bull Board's refusals before auth carry the headers too (the browser shows the 401 page).
    expect((await h.app.inject({ method: 'GET', url: '/admin/queues' })).headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('Bull Board made writable (BULL_BOARD_READ_ONLY=false)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startIngress({ BULL_BOARD_READ_ONLY: 'false' });
  });
  afterAll(async () => h.close());

  it('never adds or edits a job on call-events or crm-events', async () => {
    for (const queue of ['call-events', 'crm-events']) {
      const add = await h.app.inject({ method: 'POST', url: `/admin/queues/api/queues/${queue}/add`, payload: addJob, headers: bearer });
      expect(add.statusCode, queue).toBe(403);
      expect(add.json().reason).toMatch(/only from verified webhooks/);
      const encoded = await h.app.inject({
        method: 'POST',
        url: `/admin/queues/api/queues/${encodeURIComponent(queue).replace('-', '%2D')}/add`,
        payload: addJob,
        headers: bearer,
      });
      expect(encoded.statusCode, `${queue} percent-encoded`).toBe(403);
      const edits = [
        ['PATCH', 'some-id/update-data'],
        ['PATCH', 'some-id/delay'],
        ['PATCH', 'some-id/priority'],
        ['PATCH', 'job-schedulers/s1'],
        ['PUT', 'concurrency'],
        ['PUT', 'rate-limit'],
      ] as const;
      for (const [method, path] of edits) {
        const res = await h.app.inject({
          method,
          url: `/admin/queues/api/queues/${queue}/${path}`,
          payload: { data: {} },
          headers: bearer,
        });
        expect(res.statusCode, `${queue}/${path}`).toBe(403);
      }
      expect(await jobCount(h, queue), queue).toBe(0);
    }
  });

  it('allows the harmless writes (pause, resume, clean) on any queue', async () => {
    for (const queue of ['call-events', 'briefings']) {
      expect(
        (await h.app.inject({ method: 'PUT', url: `/admin/queues/api/queues/${queue}/pause`, headers: bearer })).statusCode,
        queue,
      ).toBe(200);
      expect(await h.queues.byName[queue as 'briefings'].isPaused()).toBe(true);
      expect(
        (await h.app.inject({ method: 'PUT', url: `/admin/queues/api/queues/${queue}/resume`, headers: bearer })).statusCode,
        queue,
      ).toBe(200);
      expect(
        (await h.app.inject({ method: 'PUT', url: `/admin/queues/api/queues/${queue}/clean/completed`, headers: bearer })).statusCode,
        queue,
      ).toBe(200);
    }
  });
});
