import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CrmStore } from './crm-store.ts';
import type { CrmNote } from './crm-wire-types.ts';
import type { FaultState } from './fault-injection.ts';
import { isTrue, queryOf } from './crm-query.ts';
import { CrmSimError } from './sim-errors.ts';
import type { WritePermissions } from './write-permissions.ts';

/** Merge's ErrorValidationProblem / WarningValidationProblem, keys in Merge's order. */
export type ValidationProblem = { source?: { pointer: string }; title: string; detail: string; problem_type: string };

const problem = (problemType: string, title: string, detail: string, pointer?: string): ValidationProblem => ({
  ...(pointer === undefined ? {} : { source: { pointer } }),
  title,
  detail,
  problem_type: problemType,
});

/** NoteRequest's fields; anything else in `model` is ignored with a warning, as Merge does. */
const NOTE_REQUEST_FIELDS = new Set([
  'owner',
  'contact',
  'account',
  'opportunity',
  'content',
  'integration_params',
  'linked_account_params',
  'remote_fields',
]);

type NoteFields = Pick<CrmNote, 'owner' | 'content' | 'contact' | 'account' | 'opportunity'> & { content: string; opportunity: string };

/**
 * The note a POST body asks for, or a 400 listing every problem in it. A relation must name a record the
 * account has (a removed deal counts as gone); `contact` is not checked, the simulator holds no contacts.
 */
function readNoteRequest(body: unknown, store: CrmStore): { fields: NoteFields; warnings: ValidationProblem[] } {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const model = isObject(body) ? body['model'] : undefined;
  if (!isObject(model))
    throw new CrmSimError(400, 'model is required', {
      warnings: [],
      errors: [problem('MISSING_REQUIRED_FIELD', 'Missing Required Field', 'model is a required field.', '/model')],
    });
  const errors: ValidationProblem[] = [];
  const warnings = Object.keys(model)
    .filter((k) => !NOTE_REQUEST_FIELDS.has(k))
    .map((k) =>
      problem('UNRECOGNIZED_FIELD', 'Unrecognized Field', `An unrecognized field, ${k}, was passed in with request data.`, `/model/${k}`),
    );

  const required = (name: 'content' | 'opportunity'): string | null => {
    const v = model[name];
    if (v === undefined || v === null)
      errors.push(problem('MISSING_REQUIRED_FIELD', 'Missing Required Field', `${name} is a required field.`, `/model/${name}`));
    else if (typeof v !== 'string')
      errors.push(
        problem('INCORRECT_FIELD_TYPE', 'Incorrect Field Type', `${name} must be a string, not ${JSON.stringify(v)}.`, `/model/${name}`),
      );
    else return v;
    return null;
  };
  const relation = (name: 'opportunity' | 'owner' | 'account', value: unknown, exists: (id: string) => boolean): string | null => {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') {
      errors.push(problem('INCORRECT_FIELD_TYPE', 'Incorrect Field Type', `${name} must be a Merge id.`, `/model/${name}`));
      return null;
    }
    if (!exists(value))
      errors.push(problem('ERROR', 'Related Object Not Found', `No ${name} with id ${value} in this linked account.`, `/model/${name}`));
    return value;
  };

  const content = required('content');
  const opportunityId = required('opportunity');
  const opportunity =
    opportunityId === null
      ? null
      : relation('opportunity', opportunityId, (id) => store.opportunities.get(id)?.remote_was_deleted === false);
  const owner = relation('owner', model['owner'], (id) => store.users.has(id));
  const account = relation('account', model['account'], (id) => store.accounts.has(id));
  const contact = model['contact'];
  if (contact !== undefined && contact !== null && typeof contact !== 'string')
    errors.push(problem('INCORRECT_FIELD_TYPE', 'Incorrect Field Type', 'contact must be a Merge id.', '/model/contact'));

  if (errors.length > 0 || content === null || opportunity === null)
    throw new CrmSimError(400, errors.map((e) => e.detail).join(' '), { warnings, errors });
  return { fields: { owner, content, contact: typeof contact === 'string' ? contact : null, account, opportunity }, warnings };
}

/**
 * A NoteRequest's schema as Merge's /meta answers it: the whole body, the note's fields under
 * `properties.model`. The wording is the simulator's own; the layout is Merge's documented one.
 */
export function noteMetaResponse(canWrite: boolean) {
  const id = (description: string) => ({ type: ['string', 'null'], format: 'uuid', description });
  return {
    request_schema: {
      type: 'object',
      properties: {
        model: {
          type: 'object',
          properties: {
            owner: { ...id("The note's owner."), title: 'Owner' },
            content: { type: ['string', 'null'], title: 'Content', description: "The note's content." },
            contact: { ...id("The note's contact."), title: 'Contact' },
            account: { ...id("The note's account."), title: 'Account' },
            opportunity: { ...id("The note's opportunity."), title: 'Opportunity' },
          },
          required: ['content', 'opportunity'],
        },
      },
      required: ['model'],
    },
    remote_field_classes: {},
    status: { linked_account_status: 'COMPLETE', can_make_request: canWrite },
    has_conditional_params: false,
    has_required_linked_account_params: false,
  };
}

export type NoteWriteDeps = {
  store: CrmStore;
  faults: FaultState;
  permissions: WritePermissions;
  /** Aborted when the simulator closes: a held request stops waiting. */
  closing: AbortSignal;
  /** A request the client gave up on before any answer (Fastify then runs no onResponse hook). */
  onAbandoned: (req: FastifyRequest, reply: FastifyReply) => void;
};

const tokenOf = (req: FastifyRequest) => String(req.headers['x-account-token']);

/** The write side for notes: `POST /notes` and `GET /notes/meta/post`, under `/crm/v1`. */
export function registerNoteWriteRoutes(app: FastifyInstance, deps: NoteWriteDeps): void {
  const { store, faults, permissions, closing } = deps;

  app.get('/notes/meta/post', async (req) => noteMetaResponse(permissions.notesAllowed(tokenOf(req))));

  app.post('/notes', async (req, reply) => {
    if (!permissions.notesAllowed(tokenOf(req)))
      throw new CrmSimError(403, 'DISABLED_MODEL_WRITE', {
        warnings: [],
        errors: [
          problem(
            'DISABLED_MODEL_WRITE',
            'Writing to Disabled Model',
            'A write request to a disabled model was attempted: this linked account has no write scope for Note.',
          ),
        ],
      });
    const { fields, warnings } = readNoteRequest(req.body, store);
    const debug = isTrue(queryOf(req.url)['is_debug_mode']) ? { logs: [] } : {};
    const mode = faults.takeNoteFault();

    if (mode === 'errors_in_201') {
      // What Merge puts in `model` when the CRM refused the write is unconfirmed: the request's fields, no id.
      const errors = [problem('PROVIDER_ERROR', 'Provider Error', 'The third-party platform rejected the request.')];
      return reply.code(201).send({ model: { id: null, remote_id: null, ...fields }, warnings, errors, ...debug });
    }

    const note = store.addNote(fields);
    if (mode === 'server_error_after_write') return reply.code(500).send({ detail: 'A server error occurred.' });
    if (mode === 'timeout_after_write') {
      const socket = req.raw.socket;
      await new Promise<void>((resolve) => {
        if (socket.destroyed || closing.aborted) return resolve();
        const done = () => {
          socket.off('close', done);
          closing.removeEventListener('abort', done);
          resolve();
        };
        socket.once('close', done);
        closing.addEventListener('abort', done, { once: true });
      });
      if (!closing.aborted) deps.onAbandoned(req, reply);
      reply.hijack();
      socket.destroy();
      return reply;
    }
    return reply.code(201).send({ model: note, warnings, errors: [], ...debug });
  });
}
