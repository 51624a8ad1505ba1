import { envSchema, type Env } from './env-schema.ts';

export type Config = Env & {
  /** No Telnyx key: every vendor is a built-in simulator. */
  sandbox: boolean;
  publicBaseUrl: string;
};

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
  const sandbox = !cfg.TELNYX_API_KEY;
  if (cfg.NODE_ENV === 'production') {
    const missing = ['API_TOKEN', 'MERGE_WEBHOOK_SIGNATURE_KEY'].filter((k) =>
      k === 'MERGE_WEBHOOK_SIGNATURE_KEY' ? cfg.MERGE_WEBHOOK_SIGNATURE_KEY.length === 0 : !cfg[k as keyof Env],
    );
    if (missing.length) {
      throw new ConfigError(`invalid configuration:\n${missing.map((k) => `  ${k}: required in production`).join('\n')}`);
    }
  }
  return {
    ...cfg,
    AI_API_KEY: cfg.AI_API_KEY ?? cfg.TELNYX_API_KEY,
    sandbox,
    publicBaseUrl: (cfg.PUBLIC_BASE_URL ?? `http://localhost:${cfg.PORT}`).replace(/\/$/, ''),
  };
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
  mergeApiKey: 'sandbox-merge-api-key',
  mergeAccountToken: 'sandbox-merge-account-token',
  aiApiKey: 'sandbox-ai-key',
} as const;
