import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

export type ChatMessage = { role: 'system' | 'user'; content: string };

export type Completion = {
  text: string | null;
  /** The model that answered, as the endpoint reports it. */
  model: string;
  finishReason: string | null;
  latencyMs: number;
};

export type CompleteOptions = {
  /** Aborts the request (and any retry) at the caller's deadline. */
  signal: AbortSignal;
  /** Per-attempt timeout; keep it within what is left before the deadline. */
  timeoutMs: number;
  maxTokens: number;
};

export type AiClient = {
  model: string;
  complete(messages: ChatMessage[], opts: CompleteOptions): Promise<Completion>;
};

/** Why a completion failed, in the words stored as the briefing's fallback_reason. */
export type AiFailure = { reason: 'timeout' | 'error'; detail: string; status?: number };

/**
 * The official openai package pointed at an OpenAI-compatible base (Telnyx AI Inference). One retry at
 * most: the caller's AbortSignal bounds the whole call, retries included. Telnyx's `enable_thinking: false`
 * skips the reasoning phase of reasoning models, which would only add latency to a short briefing.
 */
export function createAiClient(opts: { baseURL: string; apiKey: string; model: string; maxRetries?: number }): AiClient {
  const client = new OpenAI({ baseURL: opts.baseURL, apiKey: opts.apiKey, maxRetries: opts.maxRetries ?? 1 });
  return {
    model: opts.model,
    async complete(messages, { signal, timeoutMs, maxTokens }) {
      const started = performance.now();
      const body = {
        model: opts.model,
        messages,
        max_tokens: maxTokens,
        temperature: 0.3,
        stream: false,
        enable_thinking: false,
      } as ChatCompletionCreateParamsNonStreaming;
      const res = await client.chat.completions.create(body, { signal, timeout: Math.max(1, Math.round(timeoutMs)) });
      const choice = res.choices?.[0];
      return {
        text: typeof choice?.message?.content === 'string' ? choice.message.content : null,
        model: typeof res.model === 'string' && res.model ? res.model : opts.model,
        finishReason: choice?.finish_reason ?? null,
        latencyMs: Math.round(performance.now() - started),
      };
    },
  };
}

/** Sorts what the openai package throws into timeout (ours or the client's) and everything else. */
export function classifyAiError(err: unknown, deadlineHit: boolean): AiFailure {
  if (deadlineHit || err instanceof APIUserAbortError || err instanceof APIConnectionTimeoutError) {
    return { reason: 'timeout', detail: err instanceof Error ? err.message : String(err) };
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    return { reason: 'error', status: err.status, detail: `HTTP ${err.status}: ${err.message}`.slice(0, 300) };
  }
  return { reason: 'error', detail: (err instanceof Error ? err.message : String(err)).slice(0, 300) };
}
