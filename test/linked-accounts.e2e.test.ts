import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineKeys } from '@dda/alerting';
import { accountKeyOf, signMergeBody } from '@dda/merge';
import { defaultRepDirectory } from '@dda/sandbox/seed';
import { personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { MERGE_WEBHOOK_KEY, startCallStack, TOKEN, VP, type CallStack } from './support/call-stack.ts';

/*
 * Acceptance 4: a deal from a second Merge linked account is fetched with that account's token and routed
 * by `accounts`. Real ingress, triage (briefing-worker), dialer and call-worker processes; the Merge
 * simulator takes both tokens and records which one each request carried.
 */
const SECOND = { id: 'la-second-crm', token: 'second-linked-account-token-0123' };
const PRIMARY_TOKEN = 'calls-account-token';
const CRO = '+15550100400';
const TELEMATICS = '5a9d3f71-c2e8-4b06-9f4a-8d1e7c3b5a20'; // seeded in Qualification, $96,000, owner Priya

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack({ withBriefingWorker: true, mergeAccountTokens: [SECOND.token], env: { CALL_RETRY_ATTEMPTS: '0' } });
}, 90_000);
afterAll(async () => s?.close());

const auth = { authorization: `Bearer ${TOKEN}` };
const json = (method: string, path: string, body: unknown) =>
  fetch(`${s.base}${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Merge's webhook for the deal as the second account would send it, with a record triage cannot read, so it must fetch the deal. */
async function deliverFromSecondAccount(dealId: string): Promise<Response> {
  const envelope = JSON.parse(s.merge.webhookFor(dealId, 'Opportunity.changed', MERGE_WEBHOOK_KEY).body) as Record<string, any>;
  envelope.linked_account = { ...envelope.linked_account, id: SECOND.id };
  // A fresh modified_at makes each delivery its own (the dedupe key includes it).
  envelope.data = { id: dealId, modified_at: new Date().toISOString(), amount: 'see the CRM' };
  const body = JSON.stringify(envelope);
  return fetch(`${s.base}/webhooks/crm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': signMergeBody(body, MERGE_WEBHOOK_KEY) },
    body,
  });
}

describe('several linked accounts', () => {
  it('acceptance 4: a deal of the second linked account is fetched with its token and routed by `accounts`', async () => {
    expect(
      (await json('POST', '/accounts', { linked_account_id: SECOND.id, account_token: SECOND.token, label: 'Second CRM' })).status,
    ).toBe(201);
    expect(
      (
        await json('PUT', '/routing', {
          recipients: [
            { id: 'vp', name: 'Jordan Lee', phone: VP },
            { id: 'cro', name: 'Alex Kim', phone: CRO },
          ],
          routes: [
            { name: 'second CRM', match: { accounts: [SECOND.id] }, call: ['cro'] },
            { name: 'everything else', match: {}, call: ['vp'] },
          ],
          reps: defaultRepDirectory,
        })
      ).status,
    ).toBe(200);
    s.telnyx.setPersona(CRO, personas.vpDismisses);

    // The second account's first delivery starts its own baseline (the quiet first day, per account): wait for
    // it before the deal moves, as a real account is installed before its deals move.
    expect((await deliverFromSecondAccount(TELEMATICS)).status).toBe(202);
    await waitUntil(
      async () => (await s.redis.exists(baselineKeys(s.prefix, accountKeyOf(SECOND.token)).done)) === 1 || undefined,
      30_000,
      "the second account's baseline",
    );

    s.merge.moveDeal(TELEMATICS, 'Negotiation/Review');
    const before = s.merge.requests.length;
    expect((await deliverFromSecondAccount(TELEMATICS)).status).toBe(202);
    const alert = await waitUntil(
      async () => {
        const list = (await (await fetch(`${s.base}/alerts?limit=20`, { headers: auth })).json()) as { alerts: Record<string, any>[] };
        const a = list.alerts.find((x) => x.deal.id === TELEMATICS);
        return a?.outcome ? a : undefined;
      },
      30_000,
      "the alert of the second account's deal",
    );

    const fetches = s.merge.requests.slice(before).filter((r) => r.method === 'GET' && r.path === `/crm/v1/opportunities/${TELEMATICS}`);
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches.every((r) => r.accountToken === SECOND.token)).toBe(true);
    expect(s.merge.requests.some((r) => r.accountToken === PRIMARY_TOKEN && r.path === `/crm/v1/opportunities/${TELEMATICS}`)).toBe(false);

    expect(alert.linked_account_id).toBe(SECOND.id);
    expect(alert.timeline.find((t: any) => t.event === 'route.matched')).toMatchObject({
      route: 'second CRM',
      call: [{ id: 'cro', name: 'Alex Kim' }],
    });
    expect(alert.timeline.filter((t: any) => t.event === 'call.dialing').map((t: any) => t.recipient)).toEqual(['cro']);
    expect(alert.outcome).toBe('acknowledged');
    // Never in an answer.
    expect(JSON.stringify(alert)).not.toContain(SECOND.token);
    expect(JSON.stringify(await (await fetch(`${s.base}/accounts`, { headers: auth })).json())).not.toContain(SECOND.token);
  }, 90_000);
});
