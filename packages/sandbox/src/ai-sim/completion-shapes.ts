export type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };
export type FinishReason = 'stop' | 'length';

/** Roughly four characters per token, the usual rule of thumb; only its stability matters here. */
export const tokensIn = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export function usageFor(prompt: string, completion: string): Usage {
  const p = tokensIn(prompt);
  const c = tokensIn(completion);
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

export function chatCompletion(id: string, model: string, content: string, usage: Usage, finish: FinishReason = 'stop') {
  return {
    id,
    object: 'chat.completion' as const,
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant' as const, content }, finish_reason: finish }],
    usage,
  };
}

/** Splits after every third word so the concatenated deltas are byte-identical to the plain reply. */
export function contentPieces(content: string): string[] {
  const tokens = content.split(/(?<=\s)(?=\S)/);
  const pieces: string[] = [];
  for (let i = 0; i < tokens.length; i += 3) pieces.push(tokens.slice(i, i + 3).join(''));
  return pieces;
}

/** The SSE events of one streamed completion, `data: [DONE]` included. */
export function completionChunks(id: string, model: string, content: string, usage: Usage | null, finish: FinishReason = 'stop'): string[] {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, string>, finishReason: FinishReason | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const events: unknown[] = [
    chunk({ role: 'assistant', content: '' }, null),
    ...contentPieces(content).map((p) => chunk({ content: p }, null)),
    chunk({}, finish),
  ];
  // OpenAI sends usage in one extra chunk with no choices, only when stream_options.include_usage asks for it.
  if (usage) events.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
  return [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
}
