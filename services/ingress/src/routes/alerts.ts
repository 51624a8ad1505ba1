import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MergeApiError, MergeBudgetTimeout, toDealView } from '@dda/merge';
import { alertDoc, dispatchAlert } from '@dda/alerting';
import type { AppDeps } from '../app-deps.ts';
import { HttpProblem } from '../plugins/error-handling.ts';
import { requireOperator } from '../plugins/operator-auth.ts';
import { findAlerts, OUTCOME_FILTERS } from '../alert-query.ts';

const manualAlertBody = z.union([
  z.object({ deal_id: z.string().min(1).max(200) }).strict(),
  z
    .object({
      deal_name: z.string().min(1).max(300),
      amount: z.number().finite().nonnegative().max(1e13),
      stage: z.string().min(1).max(200),
      owner_email: z.email().max(320).optional(),
      account: z.string().min(1).max(300).optional(),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/)
        .optional(),
      /** The Merge linked account to pretend the deal came from: routes that match on `accounts` see it. */
      linked_account_id: z.string().min(1).max(200).optional(),
    })
    .strict(),
]);

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^al_[0-9a-z]+$/)
    .max(64)
    .optional(),
  outcome: z.enum(OUTCOME_FILTERS).optional().describe('only alerts with this outcome; `none` = no outcome yet'),
  from: z.iso.datetime({ offset: true }).optional().describe('created at or after this instant'),
  to: z.iso.datetime({ offset: true }).optional().describe('created before this instant'),
});

/** The history page calls these with its session cookie; scripts use the bearer token. */
const bearer: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];

export async function alertRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.addHook('onRequest', requireOperator(deps.config.API_TOKEN));

  r.post(
    '/alert',
    { schema: { summary: 'Raise an alert by hand (test alert)', tags: ['alerts'], security: bearer, body: manualAlertBody } },
    async (req, reply) => {
      const body = req.body;
      let doc;
      if ('deal_id' in body) {
        const opp = await deps.merge.getOpportunity(body.deal_id, { priority: 'triage', maxWaitMs: 10_000 }).catch((err: unknown) => {
          if (err instanceof MergeApiError && err.status === 404)
            throw new HttpProblem(404, 'deal_not_found', `no deal ${body.deal_id} in the CRM`);
          if (err instanceof MergeApiError) throw new HttpProblem(502, 'crm_unavailable', `the CRM answered ${err.status}`);
          if (err instanceof MergeBudgetTimeout)
            throw new HttpProblem(
              503,
              'crm_budget_spent',
              'the Merge request budget of this account is spent for now; try again in a minute',
            );
          throw err;
        });
        doc = alertDoc(toDealView(opp), null, { reason: 'manual alert', reasons: ['manual'] }, 'manual');
      } else {
        doc = {
          source: 'manual' as const,
          reason: 'manual alert',
          reasons: ['manual' as const],
          ...(body.linked_account_id ? { linked_account_id: body.linked_account_id } : {}),
          deal: {
            id: `manual-${Date.now().toString(36)}`,
            name: body.deal_name,
            amount: body.amount,
            currency: body.currency ?? null,
            stage: body.stage,
            previous_stage: null,
            account: body.account ?? null,
            owner: body.owner_email ? { name: null, email: body.owner_email } : null,
            close_date: null,
          },
        };
      }
      const alertId = await deps.alerts.createManual(doc);
      req.logIds.alert_id = alertId;
      req.logIds.deal_id = doc.deal.id;
      // Dispatch now so the phone rings at once; the outbox retries it if this step fails.
      await dispatchAlert(deps, alertId).catch((err: unknown) =>
        req.log.warn({ err, alert_id: alertId }, 'dispatch deferred to the worker sweep'),
      );
      return reply.code(202).send({ alert_id: alertId });
    },
  );

  r.get(
    '/alerts',
    {
      schema: {
        summary: 'Alert history, newest first, optionally filtered by outcome and date',
        tags: ['alerts'],
        security: bearer,
        querystring: listQuery,
      },
    },
    async (req) => {
      const { limit, cursor, outcome, from, to } = req.query;
      return findAlerts(deps.alerts, {
        limit,
        ...(cursor ? { cursor } : {}),
        ...(outcome ? { outcome } : {}),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
      });
    },
  );

  r.get(
    '/alerts/:id',
    {
      schema: {
        summary: 'One alert with its deal, outcome and timeline',
        tags: ['alerts'],
        security: bearer,
        params: z.object({ id: z.string().min(1).max(64) }),
      },
    },
    async (req) => {
      const alert = await deps.alerts.get(req.params.id);
      if (!alert) throw new HttpProblem(404, 'alert_not_found', `no alert ${req.params.id}`);
      req.logIds.alert_id = alert.id;
      req.logIds.deal_id = alert.deal.id;
      return alert;
    },
  );

  r.get(
    '/deals',
    {
      schema: {
        summary: 'Recent opportunities from the CRM',
        tags: ['deals'],
        security: bearer,
        querystring: z.object({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(100).default(25) }),
      },
    },
    async (req) => {
      const page = await deps.merge
        .listOpportunities(
          { pageSize: req.query.limit, ...(req.query.cursor ? { cursor: req.query.cursor } : {}) },
          { priority: 'listing', maxWaitMs: 5_000 },
        )
        .catch((err: unknown) => {
          if (err instanceof MergeApiError) throw new HttpProblem(502, 'crm_unavailable', `the CRM answered ${err.status}`);
          if (err instanceof MergeBudgetTimeout)
            throw new HttpProblem(
              503,
              'crm_budget_spent',
              'the Merge request budget of this account is spent for now; try again in a minute',
            );
          throw err;
        });
      return { deals: page.results.map((o) => toDealView(o)), next_cursor: page.next ?? null };
    },
  );
}
