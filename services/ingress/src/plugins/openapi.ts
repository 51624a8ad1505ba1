import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { adminHeaders } from './bull-board-guard.ts';

/**
 * The OpenAPI document is generated from the routes' own zod schemas, so it cannot drift from what the
 * routes accept. Registered before any route: @fastify/swagger collects routes as they are added.
 * UI at /docs, JSON at /docs/json, both without auth (they describe, they expose no data).
 */
export async function openApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Deal Desk Alerts',
        version: '0.1.0',
        description:
          'A CRM deal change creates an alert; the VP of Sales is phoned, hears a briefing and can be warm-transferred to the account executive. ' +
          'Operators use a bearer token (`API_TOKEN`) or the session cookie from `POST /login`.',
      },
      tags: [
        { name: 'webhooks', description: 'Signed deliveries from Merge and Telnyx' },
        { name: 'alerts', description: 'Alert history, manual alerts, live changes' },
        { name: 'deals', description: 'Deals read from the CRM' },
        { name: 'routing', description: 'Who gets the call: the routing document and its history' },
        { name: 'accounts', description: 'Merge linked accounts and their tokens (never shown)' },
        { name: 'page', description: 'The alert-history page' },
        { name: 'session', description: 'Browser sign-in' },
        { name: 'admin', description: 'Operations: queues and metrics' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API_TOKEN' },
          session: { type: 'apiKey', in: 'cookie', name: 'dda_session', description: 'Set by POST /login' },
          basic: { type: 'http', scheme: 'basic', description: 'Any user name, API_TOKEN as password (Bull Board only)' },
          mergeSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Merge-Webhook-Signature',
            description: 'HMAC-SHA256 of the raw body with MERGE_WEBHOOK_SIGNATURE_KEY, base64url',
          },
          telnyxSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'telnyx-signature-ed25519',
            description: 'Ed25519 over `telnyx-timestamp|body`, checked with TELNYX_PUBLIC_KEY',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI's own strict policy, but nobody may frame the page, and no https upgrade on a plain-http sandbox.
    staticCSP: true,
    transformStaticCSP: (csp) =>
      csp.replace("frame-ancestors 'self'", "frame-ancestors 'none'").replace(/\s*upgrade-insecure-requests;?/, ''),
    uiHooks: { onRequest: adminHeaders(null) },
  });
}
