import { z } from 'zod';

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +14155550100');
const csv = (item: z.ZodType<string, string>) =>
  z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
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
const timeZone = z
  .string()
  .default('UTC')
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as America/New_York');

/** Every environment variable the system reads; the README's Environment table is the contract for these names. */
export const envSchema = z
  .object({
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
    ALERT_STAGES: csv(z.string().min(1)).transform((xs) => (xs.length ? xs : ['negotiation', 'contract_sent', 'verbal_commit', 'closing'])),
    MERGE_POLL_SECONDS: z.coerce.number().int().min(0).default(300),
    /** Merge requests per linked account in any rolling 60 s, shared by every replica (Launch plan: 100). */
    MERGE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(100),
    /** How long cached users, accounts and stages of a linked account are trusted before a refresh. */
    MERGE_CACHE_SECONDS: z.coerce.number().int().min(0).default(3600),
    REP_DIRECTORY_FILE: z.string().min(1).optional(),
    /** A routing document (YAML or JSON) stored as a new version at boot when the file changed; see PUT /routing. */
    ROUTING_FILE: z.string().min(1).optional(),
    /**
     * Base64 of 32 random bytes: the AES-256-GCM key that encrypts linked-account tokens at rest
     * (POST /accounts). Production refuses to store a token without it.
     */
    SECRETS_KEY: z
      .string()
      .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be the base64 of 32 random bytes, e.g. `openssl rand -base64 32`')
      .optional(),

    /** One Redis node. Exactly one of REDIS_URL, REDIS_SENTINELS (+ REDIS_SENTINEL_MASTER) or REDIS_CLUSTER_NODES: load-config.ts. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    /** Redis behind Sentinel: the sentinels as host:port,… ; services follow the master they name through a failover. */
    REDIS_SENTINELS: csv(z.string().regex(/^[^\s,]+:\d{1,5}$/, 'must be host:port pairs, comma-separated')),
    /** Redis Cluster: some of its nodes as host:port,… ; the client learns the rest and follows slot moves. */
    REDIS_CLUSTER_NODES: csv(z.string().regex(/^[^\s,]+:\d{1,5}$/, 'must be host:port pairs, comma-separated')),
    /** The master group name the sentinels monitor (`sentinel monitor <name> …`). */
    REDIS_SENTINEL_MASTER: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore')
      .optional(),
    /**
     * Replicas that must hold an accepted CRM change (WAIT) before /webhooks/crm answers 202; fewer within a
     * second answers 503 and Merge redelivers. Defaults to 1 under Sentinel, 0 (not asked) with REDIS_URL.
     */
    REDIS_MIN_REPLICAS_ACK: z.coerce.number().int().min(0).max(16).optional(),
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes')
      .default('dda'),
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
    /** When an alert reaches its outcome, one Merge Note on the opportunity says what fired and how it ended. */
    CRM_WRITE_BACK: z.enum(['on', 'off'], 'must be on or off').default('on'),
    /** Texts to recipients not reached need a Telnyx messaging profile; without one no text is sent. */
    TELNYX_MESSAGING_PROFILE_ID: z.string().min(1).optional(),
    /** `missed`: a text to each recipient not reached; `always`: to every recipient called; `off`: none. */
    SMS_FOLLOW_UP: z.enum(['missed', 'always', 'off'], 'must be missed, always or off').default('missed'),
    /** A recipient calling our number back hears their open alerts of this many hours, newest first. */
    INBOUND_LOOKBACK_HOURS: z.coerce
      .number()
      .min(1)
      .max(24 * 14)
      .default(24),
    /** Asked by keys of a known caller whose number is not attested A by STIR/SHAKEN; unset = caller ID alone. */
    INBOUND_PIN: z
      .string()
      .regex(/^\d{4,8}$/, 'must be 4 to 8 digits')
      .optional(),
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

    /** A request whose headers and body have not all arrived this long after it began is answered 408 and closed. */
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    /** How long the request line and headers may take to arrive (at most HTTP_REQUEST_TIMEOUT_MS). */
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    /** An idle keep-alive socket is closed after this long; proxies in front should use a longer timeout of their own. */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(72_000),
    /** Sockets the ingress holds open at once; further connections are dropped at accept. */
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /**
     * Which peers may set X-Forwarded-For/-Proto: empty = none (the socket address is the client), else a
     * comma-separated list of addresses or CIDRs of our own proxies (e.g. 10.0.0.0/8,127.0.0.1).
     */
    TRUST_PROXY: csv(z.string().regex(/^[0-9a-fA-F.:]+(\/\d{1,3})?$/, 'must be IP addresses or CIDRs, comma-separated')),
    /** Bull Board shows queues and jobs but changes nothing; `false` allows pause/clean/retry (never adding or editing jobs on webhook queues). */
    BULL_BOARD_READ_ONLY: z
      .enum(['true', 'false', '1', '0'], 'must be true or false')
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    /** Wrong sign-ins (POST /login) one client address may make per SIGN_IN_WINDOW_SECONDS before 429. */
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(10),
    /** Wrong sign-ins from all addresses together per window before every sign-in answers 429. */
    SIGN_IN_MAX_FAILURES_GLOBAL: z.coerce.number().int().min(1).max(1_000_000).default(100),
    SIGN_IN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  })
  .superRefine((env, ctx) => {
    // A guessable token is the whole of the operator surface's protection; the length rule alone let
    // `aaaaaaaaaaaaaaaa` through. Only production is held to it: tests and the sandbox use fixed tokens.
    if (env.NODE_ENV === 'production' && env.API_TOKEN && tokenEntropyBits(env.API_TOKEN) < 128) {
      ctx.addIssue({
        code: 'custom',
        path: ['API_TOKEN'],
        message: `too guessable for production (about ${Math.floor(tokenEntropyBits(env.API_TOKEN))} bits, 128 needed): use e.g. \`openssl rand -base64 32\``,
      });
    }
  });

/**
 * A cautious estimate of a token's entropy: its length times the smaller of (a) log2 of the alphabet its
 * character classes imply and (b) the Shannon entropy of its own characters, so both a short token and a
 * long one made of few distinct characters score low. Random base64 of 32 bytes scores about 200.
 */
export function tokenEntropyBits(token: string): number {
  let pool = 0;
  if (/[a-z]/.test(token)) pool += 26;
  if (/[A-Z]/.test(token)) pool += 26;
  if (/[0-9]/.test(token)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(token)) pool += 33;
  const counts = new Map<string, number>();
  for (const ch of token) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...token].length;
  let shannon = 0;
  for (const c of counts.values()) shannon -= (c / n) * Math.log2(c / n);
  return n * Math.min(Math.log2(Math.max(pool, 1)), shannon);
}

export type Env = z.infer<typeof envSchema>;
