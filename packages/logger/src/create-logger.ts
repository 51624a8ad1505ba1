import { pino, type Logger, type DestinationStream } from 'pino';
import { maskPhones, maskPhonesDeep } from './redact-phone.ts';

export type { Logger };

/** Keys whose values are credentials wherever they appear in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-merge-webhook-signature"]',
  'req.headers["telnyx-signature-ed25519"]',
  'req.headers["x-account-token"]',
  'headers.authorization',
  'headers["x-merge-webhook-signature"]',
  'headers["telnyx-signature-ed25519"]',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.accountToken',
  '*.password',
  '*.secret',
  'apiKey',
  'token',
  'authorization',
  'signature',
];

export function createLogger(opts: { service: string; level?: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => maskPhonesDeep(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPhones(a) : a)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
    },
    opts.destination,
  );
}
