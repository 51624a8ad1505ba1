import { routingDocumentSchema, type RoutingDocument } from './routing-schema.ts';

/** One thing wrong with a document: where (dotted, e.g. `routes.0.call.1`) and what. */
export type RoutingProblem = { path: string; message: string };

export type RoutingValidation = { ok: true; routing: RoutingDocument } | { ok: false; problems: RoutingProblem[] };

/** Checks a whole document and names every problem, so an operator fixes them in one pass. */
export function validateRouting(input: unknown): RoutingValidation {
  const parsed = routingDocumentSchema.safeParse(input);
  if (parsed.success) return { ok: true, routing: parsed.data };
  const problems = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(document)', message: messageOf(i) }));
  return { ok: false, problems };
}

function messageOf(issue: { code: string; message: string; keys?: string[] }): string {
  // zod's own wording for a stray key is generic; the page shows this next to the line, so name the key.
  if (issue.code === 'unrecognized_keys' && issue.keys?.length)
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}
