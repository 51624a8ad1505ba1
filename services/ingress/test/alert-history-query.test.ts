import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertsRepository, type NewAlert } from '@dda/store';
import { API_TOKEN, startIngress, type Harness } from './ingress-harness.ts';

let h: Harness;
const ids: Record<string, string> = {};
const doc = (name: string): NewAlert => ({
  source: 'manual',
  reason: 'manual alert',
  reasons: ['manual'],
  deal: {
    id: name,
    name,
    amount: 1000,
    currency: null,
    stage: 'Negotiation',
    previous_stage: 'Proposal',
    account: null,
    owner: null,
    close_date: null,
  },
});

beforeAll(async () => {
  h = await startIngress();
  const alerts = createAlertsRepository(h.redis, h.config.REDIS_PREFIX);
  const days = { old: '2026-01-10T12:00:00Z', mid: '2026-02-10T12:00:00Z', midOpen: '2026-02-11T09:00:00Z', fresh: '2026-03-10T12:00:00Z' };
  for (const [name, at] of Object.entries(days)) ids[name] = await alerts.createManual(doc(name), new Date(at));
  await alerts.setOutcome(ids.old!, 'connected', null);
  await alerts.setOutcome(ids.mid!, 'voicemail', null);
  await alerts.setOutcome(ids.fresh!, 'connected', null);
});
afterAll(async () => h.close());

const list = async (qs: string) => {
  const res = await h.app.inject({ method: 'GET', url: `/alerts?${qs}`, headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { alerts: { deal: { name: string } }[]; next_cursor: string | null };
  return { names: body.alerts.map((a) => a.deal.name), next: body.next_cursor };
};

describe('GET /alerts filters for the history page', () => {
  it('by outcome, newest first; `none` means no outcome yet', async () => {
    expect((await list('outcome=connected')).names).toEqual(['fresh', 'old']);
    expect((await list('outcome=none')).names).toEqual(['midOpen']);
  });

  it('by date range (from inclusive, to exclusive), combined with outcome and paging', async () => {
    expect((await list('from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z')).names).toEqual(['midOpen', 'mid']);
    expect((await list('from=2026-02-11T00:00:00Z')).names).toEqual(['fresh', 'midOpen']);
    expect((await list('to=2026-02-11T00:00:00Z&outcome=connected')).names).toEqual(['old']);
    const first = await list('limit=1&outcome=connected');
    expect(first.names).toEqual(['fresh']);
    expect((await list(`limit=1&outcome=connected&cursor=${first.next}`)).names).toEqual(['old']);
  });

  it('refuses an unknown outcome or a date that is not ISO 8601', async () => {
    for (const qs of ['outcome=maybe', 'from=yesterday', 'to=2026-13-01']) {
      const res = await h.app.inject({ method: 'GET', url: `/alerts?${qs}`, headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect(res.statusCode, qs).toBe(400);
    }
  });
});
