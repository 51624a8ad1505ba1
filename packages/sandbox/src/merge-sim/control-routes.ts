import type { FastifyInstance } from 'fastify';
import type { CrmStore } from './crm-store.ts';
import type { FaultState, MergeFaults } from './fault-injection.ts';
import type { RecordedRequest } from './merge-simulator.ts';
import { buildOpportunityWebhook, postWebhook, type OpportunityEvent } from './webhook-delivery.ts';
import { CrmSimError } from './sim-errors.ts';
import type { WritePermissions } from './write-permissions.ts';

type DealParams = { Params: { id: string } };
type AccountParams = { Params: { token: string } };

/**
 * `/_sim/*`: the control methods over HTTP, so the sandbox launcher or a shell can drive a simulator
 * running in another process. Unauthenticated on purpose: it listens on loopback and holds fake data.
 */
export function registerControlRoutes(
  app: FastifyInstance,
  deps: { store: CrmStore; faults: FaultState; requests: RecordedRequest[]; permissions: WritePermissions },
): void {
  const { store, faults, requests, permissions } = deps;

  app.get('/deals', async () => store.listDeals());
  app.get<DealParams>('/deals/:id', async (req) => {
    const deal = store.getDeal(req.params.id);
    if (!deal) throw new CrmSimError(404, 'Not found.');
    return deal;
  });
  app.post<DealParams & { Body: { stage?: unknown } }>('/deals/:id/move', async (req) => {
    const stage = req.body?.stage;
    if (typeof stage !== 'string' || stage === '') throw new CrmSimError(400, 'body must be {"stage": "<stage name>"}');
    return store.moveDeal(req.params.id, stage);
  });
  app.post<DealParams & { Body: { amount?: unknown } }>('/deals/:id/amount', async (req) => {
    const amount = req.body?.amount;
    if (amount !== null && typeof amount !== 'number') throw new CrmSimError(400, 'body must be {"amount": <number|null>}');
    return store.setAmount(req.params.id, amount);
  });
  app.post<DealParams>('/deals/:id/remove', async (req) => store.removeDeal(req.params.id));
  app.post<DealParams>('/deals/:id/touch', async (req) => store.touchDeal(req.params.id));
  app.post<DealParams & { Body: { status?: unknown } }>('/deals/:id/status', async (req) => {
    const status = req.body?.status;
    if (status !== null && typeof status !== 'string') throw new CrmSimError(400, 'body must be {"status": "<any string>"|null}');
    return store.setStatus(req.params.id, status);
  });

  /** Without `deliver_to` the signed delivery is returned; with it, it is also posted there. */
  app.post<DealParams & { Body: { event?: unknown; key?: unknown; deliver_to?: unknown } }>('/deals/:id/webhook', async (req) => {
    const { event = 'Opportunity.changed', key, deliver_to: deliverTo } = req.body ?? {};
    if (typeof key !== 'string' || key === '') throw new CrmSimError(400, 'body must carry "key", the webhook signature key');
    if (deliverTo !== undefined && (typeof deliverTo !== 'string' || !URL.canParse(deliverTo)))
      throw new CrmSimError(400, '"deliver_to" must be a URL');
    const delivery = buildOpportunityWebhook(store, req.params.id, event as OpportunityEvent, key, deliverTo);
    if (deliverTo === undefined) return delivery;
    return { ...delivery, response: await postWebhook(delivery, deliverTo) };
  });

  /** Notes as stored, written ones included; `?opportunity_id=` narrows to one deal. Not counted as /crm requests. */
  app.get<{ Querystring: { opportunity_id?: string } }>('/notes', async (req) => store.listNotes(req.query.opportunity_id));

  /** The Note write scope of one linked account, by account token: `{"allowed": false}` makes writes fail with DISABLED_MODEL_WRITE. */
  app.get<AccountParams>('/accounts/:token/note-writes', async (req) => permissions.snapshot(req.params.token));
  app.post<AccountParams & { Body: { allowed?: unknown } }>('/accounts/:token/note-writes', async (req) => {
    const allowed = req.body?.allowed;
    if (typeof allowed !== 'boolean') throw new CrmSimError(400, 'body must be {"allowed": true|false}');
    return permissions.setNotesAllowed(req.params.token, allowed);
  });

  app.get('/faults', async () => faults.snapshot());
  app.post<{ Body: MergeFaults }>('/faults', async (req) => {
    faults.set(req.body ?? {});
    return faults.snapshot();
  });

  app.get('/requests', async () => requests);
  app.delete('/requests', async () => {
    requests.length = 0;
    return { cleared: true };
  });
}
