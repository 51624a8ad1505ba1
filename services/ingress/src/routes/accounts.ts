import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AccountsRefusal, createAccountsStore } from '@dda/accounts';
import { knownNotePermission } from '@dda/follow-ups';
import { accountKeyOf } from '@dda/merge';
import type { AppDeps } from '../app-deps.ts';
import { HttpProblem } from '../plugins/error-handling.ts';
import { requireOperator } from '../plugins/operator-auth.ts';

const operator: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];
const linkedAccountId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/, 'letters, digits, dots, colons, dashes or underscores (at most 200)');
const account = z.object({ linked_account_id: z.string(), label: z.string(), created_at: z.string() });
/** What the last GET /crm/v1/notes/meta/post said of the account (null: not asked yet; asked at its first note). */
const noteWrites = z.object({ allowed: z.boolean(), reason: z.string().nullable(), checked_at: z.string() }).nullable();

/**
 * Merge linked accounts (README: who gets the call). The token goes in once and never comes back out: not in an answer,
 * not in a log line (the request log carries no bodies, and the logger censors token fields anyway).
 */
export async function accountRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const store = createAccountsStore({
    redis: deps.redis,
    prefix: deps.config.REDIS_PREFIX,
    secretsKey: deps.config.SECRETS_KEY,
    production: deps.config.NODE_ENV === 'production',
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.addHook('onRequest', requireOperator(deps.config.API_TOKEN));

  r.post(
    '/accounts',
    {
      schema: {
        summary: 'Register a Merge linked account and its account token (201 new, 200 token replaced)',
        tags: ['accounts'],
        security: operator,
        body: z
          .object({
            linked_account_id: linkedAccountId,
            account_token: z.string().min(8).max(1000),
            label: z.string().max(200).default(''),
          })
          .strict(),
        response: { 200: account, 201: account },
      },
    },
    async (req, reply) => {
      req.logIds.linked_account_id = req.body.linked_account_id;
      try {
        const { account: saved, created } = await store.put(req.body);
        if (!store.encrypted)
          req.log.warn({ linked_account_id: saved.linked_account_id }, 'account token stored unencrypted: set SECRETS_KEY');
        return reply.code(created ? 201 : 200).send(saved);
      } catch (err) {
        if (err instanceof AccountsRefusal) throw new HttpProblem(503, err.code, err.message);
        throw err;
      }
    },
  );

  r.get(
    '/accounts',
    {
      schema: {
        summary: 'Registered linked accounts (never their tokens), and whether each can take notes on its deals',
        tags: ['accounts'],
        security: operator,
        response: {
          200: z.object({
            accounts: z.array(account.extend({ note_writes: noteWrites })),
            /** The MERGE_ACCOUNT_TOKEN account serving linked accounts not registered; null when there is none. */
            fallback: z.object({ note_writes: noteWrites }).nullable(),
          }),
        },
      },
    },
    async () => {
      const writes = async (token: string | null) => {
        const p = token ? await knownNotePermission(deps.redis, deps.config.REDIS_PREFIX, accountKeyOf(token)) : null;
        return p ? { allowed: p.canWrite, reason: p.reason, checked_at: p.checked_at } : null;
      };
      const accounts = await Promise.all(
        (await store.list()).map(async (a) => ({ ...a, note_writes: await writes(await store.tokenFor(a.linked_account_id)) })),
      );
      const fallbackToken = deps.config.vendors.merge.accountToken;
      return { accounts, fallback: fallbackToken ? { note_writes: await writes(fallbackToken) } : null };
    },
  );

  r.delete(
    '/accounts/:linked_account_id',
    {
      schema: {
        summary: 'Forget a linked account and its token',
        tags: ['accounts'],
        security: operator,
        params: z.object({ linked_account_id: linkedAccountId }),
      },
    },
    async (req, reply) => {
      req.logIds.linked_account_id = req.params.linked_account_id;
      if (!(await store.remove(req.params.linked_account_id)))
        throw new HttpProblem(404, 'account_not_found', `no linked account ${req.params.linked_account_id}`);
      return reply.code(204).send();
    },
  );
}
