import { cleanForSpeech } from '@dda/domain';
import type { Alert } from '@dda/store';
import type { AiClient } from './ai-client.ts';
import { buildBriefingContext } from './briefing-context.ts';

export const QUESTION_SYSTEM_PROMPT = [
  'You answer a question the VP of Sales asks on the phone about one deal.',
  'Answer in one or two short spoken sentences, using only the facts given; if they do not hold the answer, say you do not have that detail.',
  'Plain spoken English only: no markdown, no lists, no emoji, no links.',
].join('\n');

const FALLBACK = "I don't have that detail to hand. It's on the alert page.";

/**
 * The VP's question, answered from the deal's facts by the model, bounded in time so the call never waits
 * long; anything unusable becomes a plain "I don't have that" and the menu continues.
 */
export async function answerQuestion(
  ai: AiClient | null,
  alert: Alert,
  question: string,
  timeoutMs: number,
): Promise<{ text: string; fallback: boolean }> {
  if (!ai) return { text: FALLBACK, fallback: true };
  const ctx = buildBriefingContext(alert, [], new Date());
  const facts = [
    `Deal: ${ctx.dealName}`,
    `Account: ${ctx.account ?? 'none'}`,
    `Amount: ${ctx.amount ?? 'none'}`,
    `Stage: ${ctx.stageFrom ? `${ctx.stageFrom} -> ${ctx.stageTo ?? 'none'}` : (ctx.stageTo ?? 'none')}`,
    `Owner: ${ctx.owner ?? 'none'}`,
    `Close date: ${ctx.closeDate ?? 'none'}`,
    `Reason: ${ctx.reason}`,
    ...(alert.briefing?.text ? [`Briefing: ${alert.briefing.text}`] : []),
  ];
  const q = question.trim().replace(/[?.!]*$/, '?');
  try {
    const res = await ai.complete(
      [
        { role: 'system', content: QUESTION_SYSTEM_PROMPT },
        { role: 'user', content: [...facts, '', `Question: ${q}`].join('\n') },
      ],
      { signal: AbortSignal.timeout(timeoutMs), timeoutMs, maxTokens: 120 },
    );
    const text = cleanForSpeech(res.text ?? '', 400);
    if (!text || text.split(/\s+/).length > 60) return { text: FALLBACK, fallback: true };
    return { text, fallback: false };
  } catch {
    return { text: FALLBACK, fallback: true };
  }
}
