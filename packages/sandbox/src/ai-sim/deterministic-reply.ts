import { extractFacts, mergeFacts, type PromptFacts } from './prompt-facts.ts';

export type ChatMessage = { role: string; content: string };

const words = (s: string) => s.split(/\s+/).filter(Boolean);
const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

function clip(text: string, maxWords: number): string {
  const w = words(text);
  return w.length <= maxWords
    ? text
    : `${w
        .slice(0, maxWords)
        .join(' ')
        .replace(/[,;:]$/, '')}`;
}

const firstName = (owner: string) => words(owner)[0] ?? owner;
const dealRef = (f: PromptFacts) => f.deal ?? (f.account ? `the ${f.account} deal` : 'the deal');

// Used in order to lift a short briefing into the 40-word band; fixed so replies stay deterministic.
const PADDING = [
  'Nothing else on the account needs your attention right now.',
  'The forecast call is the natural place to revisit it if timing slips.',
  'The account executive can walk you through the latest conversation.',
];

/** A 40–70 word spoken paragraph that reuses the prompt's own values; no markdown, no lists. */
export function writeBriefing(f: PromptFacts): string {
  const move = f.stage
    ? f.previousStage
      ? `just moved from ${f.previousStage} to ${f.stage}`
      : `is now in ${f.stage}`
    : 'just changed in the CRM';
  const opening = sentence(`${f.deal ?? 'A deal'}${f.account ? ` with ${f.account}` : ''} ${move}${f.amount ? `, worth ${f.amount}` : ''}`);
  const ownerLine = f.owner
    ? sentence(`${f.owner} owns it${f.closeDate ? ` and expects to close by ${f.closeDate}` : ''}`)
    : f.closeDate
      ? sentence(`Expected close is ${f.closeDate}`)
      : '';
  const change = f.change ? sentence(`What changed: ${clip(f.change, 14)}`) : '';
  const note = f.note ? sentence(`Latest note: ${clip(f.note, 18)}`) : '';
  const ask = f.owner
    ? `Worth a quick word with ${firstName(f.owner)} on what it takes to close.`
    : 'Worth a quick check on what it takes to close.';

  const parts = [opening, ownerLine, change, note, ask].filter(Boolean);
  let text = parts.join(' ');
  if (words(text).length > 70) text = parts.filter((p) => p !== change).join(' ');
  if (words(text).length > 70) text = sentence(clip(text, 69));
  for (const pad of PADDING) {
    if (words(text).length >= 40) break;
    text = `${text} ${pad}`;
  }
  return text;
}

/** One sentence, picked by what the question asks about. */
export function answerQuestion(question: string, f: PromptFacts): string {
  if (!f.deal && !f.account) return "I don't have any deal details to answer that from.";
  const q = question.toLowerCase();
  const ref = dealRef(f);
  const missing = `I don't have that detail for ${ref} in the CRM data I was given.`;
  if (/\b(who|owner|owns|rep|ae)\b/.test(q)) return f.owner ? `${f.owner} owns ${ref}.` : missing;
  if (/\b(how much|amount|worth|value|size|big)\b/.test(q)) return f.amount ? `${ref} is worth ${f.amount}.` : missing;
  if (/\b(when|close date|closing|close)\b/.test(q))
    return f.closeDate ? `${ref} is expected to close by ${f.closeDate}.` : `${ref} has no close date in the CRM yet.`;
  if (/\b(risk|worr|concern|competitor|blocker)/.test(q))
    return f.note ? sentence(`The latest note on ${ref} says: ${clip(f.note, 25)}`) : missing;
  if (/\b(stage|where|status)\b/.test(q)) return f.stage ? `${ref} is in ${f.stage}.` : missing;
  const bits = [f.stage ? `is in ${f.stage}` : '', f.amount ? `worth ${f.amount}` : '', f.owner ? `owned by ${f.owner}` : ''].filter(
    Boolean,
  );
  return bits.length ? `${ref} ${bits.join(', ')}.` : missing;
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .at(-1)
      ?.trim() ?? ''
  );
}

/** What the simulated model says: the same prompt always gets the same words. */
export function replyTo(messages: ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const own = extractFacts(lastUser);
  const facts = mergeFacts(own, ...[...messages].reverse().map((m) => extractFacts(m.content)));
  const tail = lastLine(lastUser);
  const isQuestion = tail.endsWith('?') && !/\b(brief|briefing|summar)/i.test(tail);
  if (isQuestion) return answerQuestion(tail, facts);
  if (own.deal || own.account) return writeBriefing(facts);
  return 'I have no deal details to brief on yet.';
}
