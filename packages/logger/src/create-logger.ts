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

/** Bytes gathered before a write, and how long a line may wait for company (see stdoutDestination). */
const BATCH_BYTES = 4096;
const BATCH_MS = 50;

/**
 * A write system call per log line was a tenth of the ingress's CPU per webhook (profiled: one line per
 * request, thousands a second). Lines are gathered up to 4 KiB and written together, and at least every
 * 50 ms, so a quiet service still prints at once to the eye. pino writes what is pending synchronously when
 * the process exits; a kill -9 can lose the last 50 ms of lines.
 */
function stdoutDestination(): DestinationStream {
  const dest = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
  setInterval(() => {
    try {
      dest.flush();
    } catch {
      /* a write is in flight or the stream is closing: the next tick or exit writes it */
    }
  }, BATCH_MS).unref();
  return dest;
}

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
    opts.destination ?? stdoutDestination(),
  );
}
