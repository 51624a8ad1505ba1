export {
  createAiSimulator,
  SIMULATED_MODELS,
  type AiSimulator,
  type AiSimulatorOptions,
  type AiBehaviour,
  type AiMode,
} from './ai-simulator.ts';
export { replyTo, writeBriefing, answerQuestion, type ChatMessage } from './deterministic-reply.ts';
export { extractFacts, type PromptFacts } from './prompt-facts.ts';
