import { cleanForSpeech, EMOJI_PATTERN, URL_PATTERN, wordCount } from '@dda/domain';
import type { BriefingContext } from './briefing-context.ts';

/** Asked for ~80 words; half as much again is still a briefing, more is a ramble the VP would sit through. */
export const BRIEFING_MAX_WORDS = 120;
export const BRIEFING_MAX_CHARS = 900;

export type FallbackReason = 'not_configured' | 'timeout' | 'error' | 'empty' | 'garbage' | 'overlong' | 'off_topic';

export type Verdict = { ok: true; text: string } | { ok: false; reason: FallbackReason; detail: string };

/** Signs that the model answered with a document, not speech: a cleaned version would be nonsense read aloud. */
const GARBAGE_SIGNS: Array<[RegExp, string]> = [
  [/<\|[^|>]{0,40}\|>/, 'model control tokens'],
  [/^\s{0,3}#{1,6}\s/m, 'markdown headings'],
  [/^\s*\|.*\|\s*$/m, 'a table'],
  [/```/, 'a code block'],
  [/\]\([^)]*\)/, 'markdown links'],
  [/<\/?[a-z][^<>]*>/i, 'HTML'],
];

const squash = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

function mentionsDeal(text: string, ctx: BriefingContext): boolean {
  const hay = ` ${squash(text)} `;
  const names = [ctx.account, ctx.dealName, ctx.facts.deal.name].filter((n): n is string => !!n && squash(n) !== '');
  return names.some((n) => hay.includes(` ${squash(n)} `));
}

/**
 * Accepts the model's answer only as clean, short speech about this deal. The text is cleaned before the
 * checks, so what is stored is exactly what the voice will read.
 */
export function judgeBriefing(raw: string | null, finishReason: string | null, ctx: BriefingContext): Verdict {
  if (finishReason === 'length') return { ok: false, reason: 'overlong', detail: 'the model hit max_tokens' };
  if (!raw || raw.trim() === '') return { ok: false, reason: 'empty', detail: 'no text in the answer' };
  for (const [re, what] of GARBAGE_SIGNS) if (re.test(raw)) return { ok: false, reason: 'garbage', detail: `the answer contains ${what}` };
  if ((raw.match(URL_PATTERN) ?? []).length > 0) return { ok: false, reason: 'garbage', detail: 'the answer contains links' };
  if ((raw.match(EMOJI_PATTERN) ?? []).length > 2) return { ok: false, reason: 'garbage', detail: 'the answer is full of emoji' };
  const text = cleanForSpeech(raw, Number.MAX_SAFE_INTEGER);
  if (text === '') return { ok: false, reason: 'empty', detail: 'nothing speakable after cleaning' };
  const words = wordCount(text);
  if (words > BRIEFING_MAX_WORDS || text.length > BRIEFING_MAX_CHARS) {
    return { ok: false, reason: 'overlong', detail: `${words} words, ${text.length} characters` };
  }
  if (!mentionsDeal(text, ctx)) return { ok: false, reason: 'off_topic', detail: 'names neither the account nor the deal' };
  return { ok: true, text };
}
