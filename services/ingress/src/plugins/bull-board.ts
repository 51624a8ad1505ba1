import type { FastifyInstance } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { AppDeps } from '../app-deps.ts';
import { requireOperator } from './operator-auth.ts';
import { adminHeaders, BULL_BOARD_CSP, guardBullBoard } from './bull-board-guard.ts';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue of the catalog (the same Queue objects the ingress produces with), behind
 * operator auth. Basic is accepted here so a browser without a session gets its own password prompt.
 * Bull Board's own JSON API and assets stay out of the OpenAPI document; its entry page is documented.
 * Read-only unless BULL_BOARD_READ_ONLY=false, and even then it never adds or edits a job on a webhook queue
 * (bull-board-guard.ts refuses the request before Bull Board sees it; read-only also hides the UI's buttons).
 */
export async function bullBoard(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: Object.values(deps.queues.byName).map((q) => new BullMQAdapter(q, { readOnlyMode: deps.config.BULL_BOARD_READ_ONLY })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Deal Desk Alerts' } },
  });

  await app.register(async (scope) => {
    scope.addHook('onRequest', adminHeaders(BULL_BOARD_CSP));
    scope.addHook('onRequest', requireOperator(deps.config.API_TOKEN, { basic: true }));
    scope.addHook('onRequest', guardBullBoard(BULL_BOARD_PATH, deps.config.BULL_BOARD_READ_ONLY));
    scope.addHook('onRoute', (route) => {
      // The entry page (Fastify adds it as both /admin/queues and /admin/queues/).
      if ((route.url === BULL_BOARD_PATH || route.url === `${BULL_BOARD_PATH}/`) && route.method === 'GET') {
        route.schema = {
          summary: 'Bull Board: every queue, its jobs, retries and failures (HTML)',
          tags: ['admin'],
          security: [{ bearer: [] }, { session: [] }, { basic: [] }],
        };
      }
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
}
