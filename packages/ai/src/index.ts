export { aiSettingsFrom, type AiSettings, type AiEnv } from './ai-settings.ts';
export {
  createAiClient,
  classifyAiError,
  type AiClient,
  type ChatMessage,
  type Completion,
  type CompleteOptions,
  type AiFailure,
} from './ai-client.ts';
export { buildBriefingContext, hasCrmDeal, MAX_NOTES, MAX_NOTE_CHARS, type BriefingContext, type NoteLike } from './briefing-context.ts';
export {
  briefingMessages,
  briefingUserMessage,
  BRIEFING_SYSTEM_PROMPT,
  BRIEFING_MAX_TOKENS,
  BRIEFING_TARGET_WORDS,
} from './briefing-prompt.ts';
export { judgeBriefing, BRIEFING_MAX_WORDS, BRIEFING_MAX_CHARS, type FallbackReason, type Verdict } from './briefing-check.ts';
export { writeBriefing, NOTES_BUDGET_MS, type BriefingWriterDeps, type BriefingResult } from './briefing-writer.ts';
export { answerQuestion, QUESTION_SYSTEM_PROMPT } from './question-answer.ts';
