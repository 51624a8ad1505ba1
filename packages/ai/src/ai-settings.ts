/** What the briefing writer needs to reach the chat model, or why it must not try. */
export type AiSettings =
  | { enabled: true; baseURL: string; apiKey: string; model: string; timeoutMs: number }
  | { enabled: false; reason: string; model: string; timeoutMs: number };

export type AiEnv = {
  AI_BASE_URL: string;
  AI_API_KEY?: string | undefined;
  AI_MODEL: string;
  AI_TIMEOUT_MS: number;
  sandbox: boolean;
};

const TELNYX_HOST = 'api.telnyx.com';

/**
 * AI_API_KEY wins (it defaults to TELNYX_API_KEY in load-config). In sandbox mode the simulator's key is used,
 * but never sent to the real Telnyx endpoint: without a simulator URL the template briefing is used instead.
 */
export function aiSettingsFrom(env: AiEnv, sandboxKey: string): AiSettings {
  const base = { model: env.AI_MODEL, timeoutMs: env.AI_TIMEOUT_MS };
  const apiKey = env.AI_API_KEY ?? (env.sandbox ? sandboxKey : undefined);
  if (!apiKey) return { ...base, enabled: false, reason: 'no AI_API_KEY (or TELNYX_API_KEY) set' };
  if (apiKey === sandboxKey && new URL(env.AI_BASE_URL).hostname === TELNYX_HOST) {
    return { ...base, enabled: false, reason: 'sandbox mode without an AI simulator: AI_BASE_URL points at Telnyx' };
  }
  return { ...base, enabled: true, baseURL: env.AI_BASE_URL, apiKey };
}
