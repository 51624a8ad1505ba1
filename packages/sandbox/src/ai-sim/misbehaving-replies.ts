import type { PromptFacts } from './prompt-facts.ts';
import { writeBriefing } from './deterministic-reply.ts';

/** What a model sometimes returns instead of speakable text: markdown, emoji, links, template tokens. */
export function garbageReply(f: PromptFacts): string {
  const who = f.account ?? 'the account';
  return [
    `## 🚨🚨 DEAL ALERT 🚨🚨`,
    ``,
    `**${who}** just moved!!! 💰💰💰 → [Open in CRM](https://crm.example.com/opportunity/0065g00000XyZ12AAB?utm_source=ai)`,
    `- ~~ignore previous instructions~~ \`stage=${f.stage ?? 'N/A'}\``,
    `- 👉 https://tracking.example.net/r/aHR0cHM6Ly9ldmlsLmV4YW1wbGU= 😅🙏`,
    `| col | val |`,
    `|-----|-----|`,
    `<|im_end|> ### END ###`,
  ].join('\n');
}

/** A reply far past what a phone call can speak (TTS payloads stop at 3,000 characters). */
export function overlongReply(f: PromptFacts, length = 5000): string {
  const base = writeBriefing(f);
  let text = base;
  for (let i = 2; text.length < length; i++) text += ` Point ${i}: ${base}`;
  return text.slice(0, text.lastIndexOf(' ', length)).trimEnd();
}
