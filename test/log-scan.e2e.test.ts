import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '@dda/config';
import { personas } from '@dda/sandbox/telnyx-sim';
import { waitUntil } from '@dda/testkit';
import { AE, MERGE_WEBHOOK_KEY, startCallStack, TOKEN, VP, type CallStack } from './support/call-stack.ts';

const DEAL = '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5';

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack({ withBriefingWorker: true, env: { LOG_LEVEL: 'debug' } });
}, 60_000);
afterAll(async () => s?.close());

describe('logs never carry a secret or a full phone number', () => {
  it('scans every line of every service after a full call started by a signed CRM webhook', async () => {
    s.telnyx.setPersona(VP, personas.vpSaysConnect);
    s.telnyx.setPersona(AE, personas.aeAccepts);
    s.merge.moveDeal(DEAL, 'Negotiation/Review');
    const d = s.merge.webhookFor(DEAL, 'Opportunity.changed', MERGE_WEBHOOK_KEY);
    const res = await fetch(`${s.base}/webhooks/crm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': d.signature },
      body: d.body,
    });
    expect(res.status).toBe(202);
    // A request with the token too, so the authorization header passes through the request logger.
    await fetch(`${s.base}/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    await waitUntil(async () => s.telnyx.commands.some((c) => c.action === 'bridge') || undefined, 30_000, 'the bridge');
    await s.telnyx.whenIdle({ minCalls: 2 });

    const lines = s.services.flatMap((svc) => svc.lines.map((l) => `${svc.name}: ${l}`));
    expect(lines.length).toBeGreaterThan(50);
    const secrets = {
      api_token: TOKEN,
      telnyx_key: SANDBOX_CREDENTIALS.telnyxApiKey,
      merge_key: 'calls-merge-key',
      account_token: 'calls-account-token',
      merge_signature_key: MERGE_WEBHOOK_KEY,
      merge_signature: d.signature,
      telnyx_public_key: s.env.TELNYX_PUBLIC_KEY!,
    };
    const phones = [VP, AE, s.env.VP_SALES_NUMBER!].flatMap((n) => [n, n.slice(1), n.slice(2)]);
    const leaks = lines.filter((l) => Object.values(secrets).some((v) => l.includes(v)) || phones.some((p) => l.includes(p)));
    expect(leaks).toEqual([]);
  });
});
