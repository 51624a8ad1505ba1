import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertsRepository } from '@dda/store';
import { readServerSentEvents } from '@dda/testkit';
import { API_TOKEN, startIngress, type Harness } from './ingress-harness.ts';

let h: Harness;
let base: string;
beforeAll(async () => {
  h = await startIngress();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = h.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => h.close());

describe('GET /events', () => {
  it('streams every store write to an alert, to a session-cookie holder, as it happens', async () => {
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: API_TOKEN }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const res = await fetch(`${base}/events`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const alerts = createAlertsRepository(h.redis, h.config.REDIS_PREFIX);
    let id = '';
    const { events, reader } = await readServerSentEvents(res, (evs) => {
      if (evs.length === 1 && evs[0]!.event === 'ready' && !id) {
        void (async () => {
          id = await alerts.createManual({
            source: 'manual',
            reason: 'manual alert',
            reasons: ['manual'],
            deal: {
              id: 'd1',
              name: 'SSE deal',
              amount: 1,
              currency: null,
              stage: 'Negotiation',
              previous_stage: null,
              account: null,
              owner: null,
              close_date: null,
            },
          });
          await alerts.setStatus(id, 'calling');
          await alerts.addTimeline(id, 'vp.answered', { call_id: 'c1' });
          await alerts.setOutcome(id, 'connected', null);
        })();
      }
      return evs.filter((e) => e.event === 'alert').length >= 4;
    });
    await reader.cancel();
    expect(events[0]).toEqual({ event: 'ready', data: '{"live":true}' });
    const changes = events.filter((e) => e.event === 'alert').map((e) => JSON.parse(e.data));
    expect(changes).toEqual([
      { id, change: 'created', event: 'alert.created' },
      { id, change: 'status' },
      { id, change: 'timeline', event: 'vp.answered' },
      { id, change: 'outcome', event: 'alert.outcome' },
    ]);
  });

  it('accepts the bearer token too', async () => {
    const res = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(res.status).toBe(200);
    await res.body!.cancel();
  });
});
