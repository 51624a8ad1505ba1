import { z } from 'zod';

/*
 * The routing document (README: who gets the call): who is called for which deal, in what order, and the account
 * executives' numbers. This schema is the only description of it: the API, ROUTING_FILE, the environment
 * fallback and the page all go through it, and every type below comes from it.
 */

const E164 = /^\+[1-9]\d{6,14}$/;
const HHMM_RANGE = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const phone = z.string().regex(E164, 'must be an E.164 number like +14155550100');
const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores');

export const recipientSchema = z
  .object({
    id,
    name: z.string().trim().min(1, 'must not be empty').max(200),
    phone,
    timezone: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone such as America/New_York'),
    /** Local to `timezone`, may wrap midnight; empty = never quiet. */
    quiet_hours: z
      .string()
      .default('')
      .refine((s) => s === '' || HHMM_RANGE.test(s), 'must look like 21:00-07:00 (or be empty)'),
    /** Extra tries of this recipient before the next one in a route's `call`; absent = CALL_RETRY_ATTEMPTS. */
    retries: z.number().int().min(0).max(10).optional(),
  })
  .strict();

const nonEmptyList = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1, 'must list at least one value, or leave the key out to match any');

export const routeMatchSchema = z
  .object({
    /** Merge linked account ids. */
    accounts: nonEmptyList(z.string().min(1).max(200)).optional(),
    /** Inclusive. */
    min_amount: z.number().finite().nonnegative().optional(),
    /** Exclusive, so `max_amount: 500000` and `min_amount: 500000` split the amounts without overlap. */
    max_amount: z.number().finite().positive().optional(),
    /** Stage names matched like ALERT_STAGES: whole words after normalising. */
    stages: nonEmptyList(z.string().min(1).max(200)).optional(),
    owner_emails: nonEmptyList(z.email().max(320)).optional(),
  })
  .strict();

export const routeSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    match: routeMatchSchema.default({}),
    /** Recipient ids, the escalation order. */
    call: z.array(z.string()).min(1, 'must name at least one recipient to call'),
  })
  .strict();

export const repSchema = z
  .object({ email: z.email('must be an e-mail address'), name: z.string().trim().min(1, 'must not be empty'), phone })
  .strict();

export const routingDocumentSchema = z
  .object({
    recipients: z.array(recipientSchema).min(1, 'must list at least one recipient').max(500),
    routes: z.array(routeSchema).min(1, 'must list at least one route').max(500),
    reps: z.array(repSchema).max(10_000).default([]),
  })
  .strict()
  .superRefine((doc, ctx) => {
    // Cross-references: zod checks each entry on its own; these need the whole document. Entries that
    // failed their own checks are still looked at, so one answer names every problem.
    const ids = new Map<string, number>();
    doc.recipients.forEach((r, i) => {
      if (typeof r?.id !== 'string') return;
      const first = ids.get(r.id);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['recipients', i, 'id'],
          message: `duplicate recipient id "${r.id}" (also recipients.${first})`,
        });
      else ids.set(r.id, i);
    });
    const names = new Map<string, number>();
    doc.routes.forEach((route, i) => {
      if (!route || typeof route !== 'object') return;
      const firstName = names.get(route.name);
      if (firstName !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'name'],
          message: `duplicate route name "${route.name}" (also routes.${firstName})`,
        });
      else names.set(route.name, i);
      const seen = new Set<string>();
      (route.call ?? []).forEach((rid, j) => {
        if (!ids.has(rid)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'call', j], message: `unknown recipient "${rid}"` });
        if (seen.has(rid)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'call', j], message: `recipient "${rid}" is listed twice` });
        seen.add(rid);
      });
      const m = route.match;
      if (m && m.min_amount !== undefined && m.max_amount !== undefined && m.min_amount >= m.max_amount) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'match', 'max_amount'],
          message: 'must be greater than min_amount (max_amount is exclusive)',
        });
      }
    });
    const emails = new Map<string, number>();
    doc.reps.forEach((rep, i) => {
      if (typeof rep?.email !== 'string') return;
      const e = rep.email.toLowerCase();
      const first = emails.get(e);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: ['reps', i, 'email'], message: `duplicate rep e-mail "${rep.email}" (also reps.${first})` });
      else emails.set(e, i);
    });
  });

/** As written by an operator (defaults may be left out). */
export type RoutingDocumentInput = z.input<typeof routingDocumentSchema>;
/** As stored and applied (defaults filled in). */
export type RoutingDocument = z.output<typeof routingDocumentSchema>;
export type Recipient = RoutingDocument['recipients'][number];
export type Route = RoutingDocument['routes'][number];
export type RouteMatch = Route['match'];
export type Rep = RoutingDocument['reps'][number];
