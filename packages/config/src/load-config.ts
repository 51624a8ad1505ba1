import { envSchema, type Env } from './env-schema.ts';

/** Vendor credentials resolved once: the real ones, or in sandbox mode the simulators' (nowhere else). */
export type VendorSettings = {
  /** `messagingProfileId` null: no texts (TELNYX_MESSAGING_PROFILE_ID unset outside the sandbox). */
  telnyx: { apiKey: string; connectionId: string; phoneNumber: string; baseUrl: string; messagingProfileId: string | null };
  merge: { apiKey: string; accountToken: string | null; baseUrl: string };
};

export type Config = Omit<Env, 'REDIS_URL' | 'REDIS_MIN_REPLICAS_ACK'> & {
  /**
   * Where Redis is, for the connection factories (packages/redis/src/redis-topology.ts): REDIS_URL itself, or
   * `redis-sentinel://<REDIS_SENTINELS>/<REDIS_SENTINEL_MASTER>` or `redis-cluster://<REDIS_CLUSTER_NODES>` built here.
   */
  REDIS_URL: string;
  /** Replicas a 202 from /webhooks/crm waits for: REDIS_MIN_REPLICAS_ACK, else 1 under Sentinel, 0 on one node. */
  REDIS_MIN_REPLICAS_ACK: number;
  /** No Telnyx key: every vendor is a built-in simulator. */
  sandbox: boolean;
  publicBaseUrl: string;
  vendors: VendorSettings;
};

/** Without these a production deployment boots and fails at its first dial or fetch; it must not boot. */
const REQUIRED_IN_PRODUCTION = [
  'API_TOKEN',
  'MERGE_WEBHOOK_SIGNATURE_KEY',
  'TELNYX_API_KEY',
  'TELNYX_CONNECTION_ID',
  'TELNYX_PHONE_NUMBER',
  'TELNYX_PUBLIC_KEY',
  'MERGE_API_KEY',
] as const satisfies readonly (keyof Env)[];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and checks the environment once; the message names every variable that is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  const redisUrl = redisAddress(cfg);
  const sandbox = !cfg.TELNYX_API_KEY;
  if (cfg.NODE_ENV === 'production') {
    const missing = REQUIRED_IN_PRODUCTION.filter((k) => {
      const v = cfg[k];
      return Array.isArray(v) ? v.length === 0 : !v;
    });
    if (missing.length) {
      throw new ConfigError(`invalid configuration:\n${missing.map((k) => `  ${k}: required in production`).join('\n')}`);
    }
  }
  return {
    ...cfg,
    REDIS_URL: redisUrl,
    REDIS_MIN_REPLICAS_ACK: cfg.REDIS_MIN_REPLICAS_ACK ?? (cfg.REDIS_SENTINELS.length ? 1 : 0),
    AI_API_KEY: cfg.AI_API_KEY ?? cfg.TELNYX_API_KEY,
    sandbox,
    vendors: {
      telnyx: {
        apiKey: cfg.TELNYX_API_KEY ?? SANDBOX_CREDENTIALS.telnyxApiKey,
        connectionId: cfg.TELNYX_CONNECTION_ID ?? SANDBOX_CREDENTIALS.telnyxConnectionId,
        phoneNumber: cfg.TELNYX_PHONE_NUMBER ?? SANDBOX_CREDENTIALS.telnyxPhoneNumber,
        baseUrl: cfg.TELNYX_BASE_URL,
        messagingProfileId: cfg.TELNYX_MESSAGING_PROFILE_ID ?? (sandbox ? SANDBOX_CREDENTIALS.telnyxMessagingProfileId : null),
      },
      merge: {
        apiKey: cfg.MERGE_API_KEY ?? SANDBOX_CREDENTIALS.mergeApiKey,
        accountToken: cfg.MERGE_ACCOUNT_TOKEN ?? (sandbox ? SANDBOX_CREDENTIALS.mergeAccountToken : null),
        baseUrl: cfg.MERGE_BASE_URL,
      },
    },
    publicBaseUrl: (cfg.PUBLIC_BASE_URL ?? `http://localhost:${cfg.PORT}`).replace(/\/$/, ''),
  };
}

/** Exactly one Redis topology (README: high availability): one node, a master behind Sentinel, or a Cluster. */
function redisAddress(cfg: Env): string {
  const sentinel = cfg.REDIS_SENTINELS.length > 0 || cfg.REDIS_SENTINEL_MASTER !== undefined;
  const cluster = cfg.REDIS_CLUSTER_NODES.length > 0;
  const problem = (m: string) => new ConfigError(`invalid configuration:\n  ${m}`);
  if ([Boolean(cfg.REDIS_URL), sentinel, cluster].filter(Boolean).length > 1)
    throw problem('REDIS_URL: set one of REDIS_URL, REDIS_SENTINELS with REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES');
  if (cfg.REDIS_URL) return cfg.REDIS_URL;
  // WAIT counts the replicas of the node a connection talks to; a Cluster client's keyless WAIT reaches any
  // master, so it would prove nothing about where a change was written.
  if (cluster && (cfg.REDIS_MIN_REPLICAS_ACK ?? 0) > 0) throw problem('REDIS_MIN_REPLICAS_ACK: not supported with REDIS_CLUSTER_NODES');
  // The formats packages/redis/src/redis-topology.ts reads.
  if (cluster) return `redis-cluster://${cfg.REDIS_CLUSTER_NODES.join(',')}`;
  if (!sentinel) throw problem('REDIS_URL: required (or REDIS_SENTINELS with REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES)');
  if (!cfg.REDIS_SENTINELS.length) throw problem('REDIS_SENTINELS: required with REDIS_SENTINEL_MASTER');
  if (!cfg.REDIS_SENTINEL_MASTER) throw problem('REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS');
  return `redis-sentinel://${cfg.REDIS_SENTINELS.join(',')}/${cfg.REDIS_SENTINEL_MASTER}`;
}

/** For a service's main.ts: a wrong value stops the process with a readable message, not a stack. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

/** The credentials sandbox mode uses between our services and the built-in simulators. */
export const SANDBOX_CREDENTIALS = {
  telnyxApiKey: 'sandbox-telnyx-key',
  telnyxConnectionId: 'sandbox-connection',
  telnyxPhoneNumber: '+15550100000',
  telnyxMessagingProfileId: 'sandbox-messaging-profile',
  mergeApiKey: 'sandbox-merge-api-key',
  mergeAccountToken: 'sandbox-merge-account-token',
  aiApiKey: 'sandbox-ai-key',
} as const;
