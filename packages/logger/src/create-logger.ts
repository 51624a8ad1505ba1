import { pino, type Logger, type DestinationStream } from 'pino';
import { maskPhones, redactDeep, SECRET_KEYS } from './redact-log-object.ts';

/**
 * Child bindings (`log.child({...})`) do not pass through `formatters.log`; pino applies serializers to them,
 * so a credential bound at the top level of a child is censored here too.
 */
const censorBindings = Object.fromEntries(
  [...SECRET_KEYS, 'apiKey', 'accountToken'].map((k) => [k, (v: unknown) => (v === undefined || v === null ? v : '[redacted]')]),
);

export type { Logger };

export function createLogger(opts: { service: string; level?: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: censorBindings,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactDeep(obj) as Record<string, unknown>,
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
