import type { ChatMessage } from './deterministic-reply.ts';

export type ChatRequest = {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
};

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/** OpenAI's error body; `param` names the offending field the way the real API does. */
export function openAiError(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

export class BadChatRequest extends Error {
  override name = 'BadChatRequest';
  readonly param: string;
  constructor(param: string, message: string) {
    super(message);
    this.param = param;
  }
}

/** Content may be a string or OpenAI's array of parts; only text parts matter to the simulated model. */
function textOf(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        part && typeof part === 'object' && (part as { type?: unknown }).type === 'text'
          ? String((part as { text?: unknown }).text ?? '')
          : '',
      )
      .join('\n');
  }
  throw new BadChatRequest(
    `messages[${i}].content`,
    `Invalid type for 'messages[${i}].content': expected a string or an array of content parts.`,
  );
}

/** Checks what the real endpoint checks; unknown fields (Telnyx's enable_thinking, region, …) are accepted. */
export function parseChatRequest(body: unknown): ChatRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadChatRequest('body', 'The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  if (typeof b['model'] !== 'string' || b['model'].trim() === '') throw new BadChatRequest('model', "Missing required parameter: 'model'.");
  const raw = b['messages'];
  if (!Array.isArray(raw) || raw.length === 0) throw new BadChatRequest('messages', "'messages' must be a non-empty array.");
  const messages = raw.map((m: unknown, i): ChatMessage => {
    if (!m || typeof m !== 'object') throw new BadChatRequest(`messages[${i}]`, `Invalid type for 'messages[${i}]': expected an object.`);
    const role = (m as { role?: unknown }).role;
    if (typeof role !== 'string' || !ROLES.has(role))
      throw new BadChatRequest(`messages[${i}].role`, `Invalid value for 'messages[${i}].role'.`);
    return { role, content: textOf((m as { content?: unknown }).content, i) };
  });
  if (b['stream'] !== undefined && b['stream'] !== null && typeof b['stream'] !== 'boolean')
    throw new BadChatRequest('stream', "Invalid type for 'stream': expected a boolean.");
  const max = b['max_completion_tokens'] ?? b['max_tokens'];
  if (max !== undefined && max !== null && !(Number.isInteger(max) && (max as number) > 0))
    throw new BadChatRequest('max_tokens', "'max_tokens' must be a positive integer.");
  const opts = b['stream_options'];
  return {
    model: b['model'],
    messages,
    stream: b['stream'] === true,
    includeUsage: !!opts && typeof opts === 'object' && (opts as { include_usage?: unknown }).include_usage === true,
    maxTokens: typeof max === 'number' ? max : undefined,
  };
}
