import { signMergeBody } from '@dda/merge';
import type { CrmStore } from './crm-store.ts';
import { CrmSimError } from './sim-errors.ts';
import { pythonJsonDumps } from './python-json.ts';

export type OpportunityEvent = 'Opportunity.changed' | 'Opportunity.added' | 'Opportunity.removed';
export const OPPORTUNITY_EVENTS: readonly OpportunityEvent[] = ['Opportunity.changed', 'Opportunity.added', 'Opportunity.removed'];

export type WebhookDelivery = { body: string; signature: string };

/** One delivery as Merge would post it: the record as stored (relations as ids), signed over the exact bytes. */
export function buildOpportunityWebhook(
  store: CrmStore,
  id: string,
  event: OpportunityEvent,
  key: string,
  target?: string,
): WebhookDelivery {
  if (!OPPORTUNITY_EVENTS.includes(event)) throw new CrmSimError(400, `Unsupported event ${JSON.stringify(event)}`);
  const data = store.getDeal(id);
  if (!data) throw new CrmSimError(404, `No opportunity ${id}`);
  const envelope = {
    hook: { id: store.hook.id, event, target: target ?? store.hook.target },
    linked_account: store.linkedAccount,
    data,
  };
  const body = pythonJsonDumps(envelope);
  return { body, signature: signMergeBody(body, key) };
}

/** Posts a delivery with Merge's headers; the answer's status is returned so a driver can see what the receiver did. */
export async function postWebhook(delivery: WebhookDelivery, targetUrl: string): Promise<{ status: number; body: string }> {
  const res = await fetch(targetUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-merge-webhook-signature': delivery.signature },
    body: delivery.body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}
