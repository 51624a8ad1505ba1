/** Deal facts a prompt states as `Label: value` lines, the way the briefing prompt lays them out. */
export type PromptFacts = {
  deal?: string;
  account?: string;
  amount?: string;
  stage?: string;
  previousStage?: string;
  owner?: string;
  closeDate?: string;
  change?: string;
  note?: string;
};

const LABELS: Array<[keyof PromptFacts, RegExp]> = [
  ['previousStage', /^(previous|old|prior|from) stage$|^moved from$/],
  ['stage', /^(new |current |to )?stage$|^moved to$/],
  ['deal', /^(deal|opportunity)( name)?$/],
  ['account', /^(account|company|customer)( name)?$/],
  ['amount', /^(amount|value|deal (size|value|amount)|arr)$/],
  ['owner', /^(deal |account )?owner( name)?$|^(ae|rep|account executive|sales rep)$/],
  ['closeDate', /^(expected )?close( date)?$|^closes$/],
  ['change', /^(change|what changed|reason|trigger|alert reason|why)$/],
  ['note', /^(latest |last |recent )?(notes?|activity)$/],
];

const LINE = /^\s*(?:[-*•]\s*)?\**([A-Za-z][A-Za-z /_-]{0,40}?)\**\s*:\s*(.*)$/;

/** Speech-friendly value: no markdown emphasis, no e-mail addresses, no trailing full stop. */
function clean(value: string): string {
  return value
    .replace(/[*_`#]/g, '')
    .replace(/\s*[<([][^>)\]]*@[^>)\]]*[>)\]]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.;,]+$/, '');
}

export function extractFacts(text: string): PromptFacts {
  const facts: PromptFacts = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const m = LINE.exec(line);
    if (!m) return;
    const label = (m[1] ?? '').toLowerCase().replace(/[_-]+/g, ' ').trim();
    const field = LABELS.find(([, re]) => re.test(label))?.[0];
    if (!field || facts[field] !== undefined) return;
    // "Notes:" followed by bullet lines: the first bullet is the newest.
    const inline = clean(m[2] ?? '');
    const value = inline || clean((lines.slice(i + 1).find((l) => l.trim() !== '') ?? '').replace(/^\s*[-*•]\s*/, ''));
    if (value && !/^(none|n\/a|unknown|-)$/i.test(value)) facts[field] = value;
  });
  // "Stage: Proposal/Price Quote -> Negotiation/Review" states both ends of the move on one line.
  const move = facts.stage?.split(/\s*(?:->|→|=>)\s*/);
  if (move && move.length === 2 && move[0] && move[1]) {
    facts.previousStage ??= move[0];
    facts.stage = move[1];
  }
  return facts;
}

/** Earlier messages fill what the later ones leave out. */
export function mergeFacts(...all: PromptFacts[]): PromptFacts {
  const out: PromptFacts = {};
  for (const facts of all) {
    for (const [k, v] of Object.entries(facts) as Array<[keyof PromptFacts, string]>) if (out[k] === undefined) out[k] = v;
  }
  return out;
}
