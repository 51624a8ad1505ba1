import { z } from 'zod';

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +14155550100');
const csv = (item: z.ZodType<string, string>) =>
  z
    .string()
    .default('')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item));
const optionalNumber = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : Number(s)))
  .pipe(z.number().positive().optional());
const quietHours = z
  .string()
  .default('')
  .refine((s) => s === '' || /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(s), 'must look like 21:00-07:00');
const timeZone = z.string().default('UTC').refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as America/New_York');

/** Every environment variable the system reads; design.md §3 is the contract for these names. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  TELNYX_API_KEY: z.string().min(1).optional(),
  TELNYX_PHONE_NUMBER: e164.optional(),
  TELNYX_CONNECTION_ID: z.string().min(1).optional(),
  TELNYX_PUBLIC_KEY: z
    .string()
    .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be the base64 of a 32-byte Ed25519 public key')
    .optional(),
  TELNYX_BASE_URL: z.url().default('https://api.telnyx.com/v2'),

  MERGE_API_KEY: z.string().min(1).optional(),
  MERGE_ACCOUNT_TOKEN: z.string().min(1).optional(),
  MERGE_WEBHOOK_SIGNATURE_KEY: csv(z.string().min(8)),
  MERGE_BASE_URL: z.url().default('https://api.merge.dev/api'),

  AI_BASE_URL: z.url().default('https://api.telnyx.com/v2/ai/openai'),
  AI_API_KEY: z.string().min(1).optional(),
  AI_MODEL: z.string().min(1).default('moonshotai/Kimi-K2.6'),
  AI_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(8000),

  VP_SALES_NUMBER: e164.optional(),
  VP_NAME: z.string().min(1).default('the VP of Sales'),
  ESCALATION_NUMBERS: csv(e164),
  DEAL_THRESHOLD: z.coerce.number().nonnegative().default(50_000),
  ALERT_STAGES: csv(z.string().min(1)).transform((xs) =>
    xs.length ? xs : ['negotiation', 'contract_sent', 'verbal_commit', 'closing'],
  ),
  MERGE_POLL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Merge requests per linked account in any rolling 60 s, shared by every replica (Launch plan: 100). */
  MERGE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(100),
  /** How long cached users, accounts and stages of a linked account are trusted before a refresh. */
  MERGE_CACHE_SECONDS: z.coerce.number().int().min(0).default(3600),
  REP_DIRECTORY_FILE: z.string().min(1).optional(),

  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  REDIS_PREFIX: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes').default('dda'),
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  PUBLIC_BASE_URL: z.url().optional(),
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

  CALL_RETRY_ATTEMPTS: z.coerce.number().int().min(0).max(10).default(2),
  CALL_RETRY_DELAY_SECONDS: z.coerce.number().min(0).default(120),
  SNOOZE_MINUTES: z.coerce.number().min(0).default(60),
  ALERT_COOLDOWN_MINUTES: z.coerce.number().min(0).default(60),
  VP_TIMEZONE: timeZone,
  QUIET_HOURS: quietHours,
  URGENT_AMOUNT: optionalNumber,
  TTS_VOICE: z.string().min(1).default('Telnyx.KokoroTTS.af_heart'),
  /** An answered leg with no audio playing and no answer awaited this long is re-prompted once, then closed. */
  CALL_STALL_SECONDS: z.coerce.number().min(1).max(600).default(15),
  /** How long the voice takes per character, by our estimate: the watchdog waits this long for a prompt to play. */
  TTS_MS_PER_CHAR: z.coerce.number().min(0.1).max(1000).default(80),
  /** How long a worker may go silent before its job is handed to another worker (BullMQ lock and stall check). */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /**
   * Unix niceness the process gives itself at start (0 = normal, 19 = lowest). npm start and the compose file
   * run the briefing-worker at 10: triage and briefings are throughput work, and on a shared machine they
   * must not take the CPU the ingress needs to answer webhooks within Merge's and Telnyx's timeouts.
   */
  PROCESS_NICE: z.coerce.number().int().min(0).max(19).default(0),
});

export type Env = z.infer<typeof envSchema>;
