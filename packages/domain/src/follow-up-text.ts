/*
 * The text message sent to a sales leader who missed an alert call. SMS in GSM-7 (3GPP TS 23.038, the
 * old GSM 03.38): one segment holds 160 septets, a concatenated message 153 per segment, so two segments
 * are 306. A single character outside GSM-7 would switch the whole message to UCS-2 (70 characters a
 * segment), so everything that goes in is transliterated first.
 *
 * Hand-written rather than an npm transliterator: the well-known ones (any-ascii, unidecode, transliteration)
 * go to ASCII and would turn é, ß, ø or Ä into e, ss, o, A although GSM-7 carries them at one septet each;
 * what is needed here is "GSM-7 first, NFKD for the rest, a short table for what NFKD cannot decompose".
 */

/** Two segments of a concatenated GSM-7 message (2 × 153 septets). */
export const SMS_MAX_SEPTETS = 306;

/**
 * The GSM 7-bit default alphabet as Unicode, in table order 0x00..0x7F without 0x1B (the escape to the
 * extension table). 0x09 is the capital Ç, as in the ETSI table (the small ç is not in the set), and 0x24 is
 * ¤, not $ ($ is 0x02). 127 characters.
 */
const GSM7_BASIC_CHARS =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: each is sent as ESC + code, two septets. */
const GSM7_EXTENSION_CHARS = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC_CHARS);
const EXTENSION = new Set(GSM7_EXTENSION_CHARS);
const isGsm7 = (ch: string) => BASIC.has(ch) || EXTENSION.has(ch);

/** Septets the string takes in GSM-7 (extension-table characters count 2), or null when some character is not encodable. */
export function gsm7Septets(s: string): number | null {
  let n = 0;
  for (const ch of s) {
    if (BASIC.has(ch)) n += 1;
    else if (EXTENSION.has(ch)) n += 2;
    else return null;
  }
  return n;
}

// ---- transliteration ---------------------------------------------------------------------------

/** Replacements for characters NFKD leaves alone (or decomposes into something still unencodable). Values are GSM-7. */
const EXPLICIT: Record<string, string> = {
  // Letters without a canonical decomposition. ß, æ, Æ, ø, Ø, å, Å are GSM-7 themselves and never reach this table.
  ẞ: 'SS',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ð: 'D',
  ð: 'd',
  Þ: 'Th',
  þ: 'th',
  Œ: 'OE',
  œ: 'oe',
  ı: 'i',
  ĸ: 'k',
  Ŋ: 'N',
  ŋ: 'n',
  Ħ: 'H',
  ħ: 'h',
  Ŧ: 'T',
  ŧ: 't',
  Ƒ: 'F',
  ƒ: 'f',
  Ə: 'E',
  ə: 'e',
  // Punctuation a name or a stage may carry.
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2033': '"',
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2039': "'",
  '\u203a': "'",
  '\u2032': "'",
  '\u02bc': "'",
  '\u00b4': "'",
  '`': "'",
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2043': '-',
  '\u2022': '-',
  '\u2026': '...',
  '\u00b7': '.',
  '\u00d7': 'x',
  '\u00f7': '/',
  '\u2044': '/',
  '\u2215': '/',
  '\u00a6': '|',
  '\u00a9': '(c)',
  '\u00ae': '(R)',
  '\u00a2': 'c',
};

// Cyrillic, the usual passport-style romanisation (lower case; capitals take the capitalised form).
const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  є: 'ye',
  і: 'i',
  ї: 'yi',
  ґ: 'g',
};
for (const [lower, latin] of Object.entries(CYRILLIC)) {
  EXPLICIT[lower] = latin;
  EXPLICIT[lower.toUpperCase()] = latin.charAt(0).toUpperCase() + latin.slice(1);
}

// Greek, as Greek phones send it in GSM-7: upper case, with the Latin look-alikes for the capitals GSM-7 lacks.
const GREEK_LOOKALIKE: Record<string, string> = {
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};
for (const ch of 'αβγδεζηθικλμνξοπρςστυφχψω' + 'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ') {
  const upper = ch === 'ς' ? 'Σ' : ch.toUpperCase();
  if (!isGsm7(ch)) EXPLICIT[ch] = BASIC.has(upper) ? upper : GREEK_LOOKALIKE[upper]!;
}

/** Format characters (zero-width joiners, BOM, bidi controls) vanish; controls and every kind of space separate words. */
const INVISIBLE = /^\p{Cf}$/u;
const SEPARATOR = /^[\s\p{Cc}\p{Z}]$/u;

/** One character (a code point of NFC text) to GSM-7: kept, replaced, decomposed, or dropped. */
function transliterate(ch: string): string {
  if (isGsm7(ch) && !SEPARATOR.test(ch)) return ch;
  if (INVISIBLE.test(ch)) return '';
  if (SEPARATOR.test(ch)) return ' ';
  const mapped = EXPLICIT[ch];
  if (mapped !== undefined) return mapped;
  const decomposed = ch.normalize('NFKD');
  if (decomposed === ch) return ''; // emoji, CJK, combining marks, lone surrogates...: nothing to say in GSM-7
  let out = '';
  // The parts of a decomposition never decompose further; marks and anything else unknown fall through to ''.
  for (const part of decomposed) {
    if (isGsm7(part) && !SEPARATOR.test(part)) out += part;
    else if (SEPARATOR.test(part)) out += ' ';
    else out += EXPLICIT[part] ?? '';
  }
  return out;
}

/**
 * Any string in GSM-7 characters: what GSM-7 has is kept (é, ß, Ä, Ø, € ...), the rest is NFKD-decomposed
 * to its base letters (ê → e, ç → c, ﬁ → fi) or replaced from a small table (Ł → L, “ → ", – → -,
 * … → ..., Cyrillic and Greek romanised); emoji and anything else without a GSM-7 form are dropped. Line
 * breaks, tabs, NBSP and other spaces become one space; the result is trimmed. Idempotent.
 */
export function toGsm7(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFC')) out += transliterate(ch);
  return out.replace(/\s+/g, ' ').trim();
}

// ---- the amount ----------------------------------------------------------------------------------

const CURRENCY_SYMBOLS: Record<string, string> = {
  $: 'USD',
  US$: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
  '₩': 'KRW',
  '₪': 'ILS',
};
const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const CENTS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const SCIENTIFIC = new Intl.NumberFormat('en-US', { notation: 'scientific', maximumFractionDigits: 2 });

/** 250000 → "250,000", 1234.5 → "1,234.50"; absurdly large values (≥ 1e21) as "1.8E308" so the text stays bounded. */
function figure(abs: number): string {
  if (abs >= 1e21) return SCIENTIFIC.format(abs);
  const cents = Math.round(abs * 100);
  if (abs < 1e13 && cents % 100 !== 0) return CENTS.format(cents / 100);
  return WHOLE.format(Math.round(abs));
}

/**
 * The amount as the text shows it: "$250,000" (no currency, "$" or USD), "EUR 250,000", "-$1,234.50",
 * "GBP -500". ASCII only: a code rather than "€" (two septets) or "£". A currency that is neither a symbol
 * nor a three-letter code gives the bare figure. Null for a missing or non-finite amount.
 */
export function smsAmount(amount: number | null, currency: string | null): string | null {
  if (amount === null || !Number.isFinite(amount)) return null;
  const abs = figure(Math.abs(amount));
  const sign = amount < 0 && /[1-9]/.test(abs) ? '-' : '';
  const c = (currency ?? '').trim();
  const code = c === '' ? 'USD' : (CURRENCY_SYMBOLS[c] ?? c.toUpperCase());
  if (code === 'USD') return `${sign}$${abs}`;
  if (/^[A-Z]{3}$/.test(code)) return `${code} ${sign}${abs}`;
  return `${sign}${abs}`;
}

// ---- the message ---------------------------------------------------------------------------------

export type FollowUpFacts = {
  /** CRM account name, e.g. "Northwind Traders". */
  account: string | null;
  /** Deal name. */
  deal: string;
  amount: number | null;
  /** ISO code, or null (then "$"). */
  currency: string | null;
  /** Previous stage name, or null. */
  stageFrom: string | null;
  /** New stage name. */
  stageTo: string | null;
  /** E.164, e.g. "+15550100999". */
  callBackNumber: string;
};

/** Just "+" and digits (E.164 has at most 15), so a number written "+1 (555) 010-0999" still dials. */
function dialable(number: string): string {
  const n = (number ?? '').normalize('NFKC');
  const digits = n.replace(/[^0-9]/g, '').slice(0, 15);
  return digits && /^\s*\+/.test(n) ? `+${digits}` : digits;
}

/** The names the text shows, each shortened on its own. */
type Names = { account: string; deal: string; from: string; to: string };
type StageShape = 'none' | 'both' | 'to' | 'from';

function render(n: Names, shape: StageShape, amount: string | null, callBack: string): string {
  const subject = [n.account, n.deal].filter((x) => x !== '').join(' - ');
  const stages =
    shape === 'both' ? `${n.from} -> ${n.to}` : shape === 'to' ? `now ${n.to}` : shape === 'from' ? `moved from ${n.from}` : '';
  const details = [subject, amount ?? '', stages].filter((x) => x !== '').join(', ');
  const head = details === '' ? 'Deal alert.' : /[.!?]$/.test(details) ? `Deal alert: ${details}` : `Deal alert: ${details}.`;
  const call = callBack === '' ? 'Call this number back' : `Call ${callBack}`;
  return `${head} Missed our call? ${call} to hear it and connect to the AE.`;
}

/**
 * Septet caps for fields of the given lengths that together fit the budget, fairly: every field gets the
 * same cap (short fields keep all they have, what they leave goes to the long ones), the few septets left
 * over go one each to the first fields that were cut.
 */
function allot(lengths: number[], budget: number): number[] {
  const total = (cap: number) => lengths.reduce((sum, l) => sum + Math.min(l, cap), 0);
  if (total(Number.POSITIVE_INFINITY) <= budget) return lengths;
  let lo = 0;
  let hi = Math.max(...lengths);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const caps = lengths.map((l) => Math.min(l, lo));
  let left = budget - total(lo);
  for (let i = 0; i < caps.length && left > 0; i++) {
    if (caps[i]! < lengths[i]!) {
      caps[i]!++;
      left--;
    }
  }
  return caps;
}

const ELLIPSIS = '...';

/** GSM-7 text cut to at most `cap` septets with "..." (at a word end when one is near); unchanged when it fits. */
function shorten(text: string, cap: number): string {
  if ((gsm7Septets(text) ?? Number.POSITIVE_INFINITY) <= cap) return text;
  if (cap < ELLIPSIS.length) return '';
  let kept = '';
  let used = 0;
  for (const ch of text) {
    const cost = EXTENSION.has(ch) ? 2 : 1;
    if (used + cost > cap - ELLIPSIS.length) break;
    kept += ch;
    used += cost;
  }
  const space = kept.lastIndexOf(' ');
  if (space > 0 && kept.length - space <= 10 && text[kept.length] !== ' ') kept = kept.slice(0, space);
  return kept.replace(/[\s\-,.;:(/]+$/, '') + ELLIPSIS;
}

/**
 * The text for a missed alert call, e.g. "Deal alert: Northwind Traders - Northwind Expansion, $250,000,
 * Proposal -> Negotiation. Missed our call? Call +15550100999 to hear it and connect to the AE."
 *
 * Always GSM-7 and at most SMS_MAX_SEPTETS (two segments). Names are transliterated (toGsm7); an account,
 * deal or stage that is empty afterwards (null, blank, emoji only) is left out. When the names are too long
 * they are shortened fairly, each ending in "..."; the amount (when finite) and the call-back number are
 * never shortened.
 */
export function followUpText(f: FollowUpFacts): string {
  const full: Names = {
    account: toGsm7(f.account ?? ''),
    deal: toGsm7(f.deal ?? ''),
    from: toGsm7(f.stageFrom ?? ''),
    to: toGsm7(f.stageTo ?? ''),
  };
  // The stage wording is chosen on the full names, so shortening cannot change it.
  const shape: StageShape = full.from && full.to ? (full.from === full.to ? 'to' : 'both') : full.to ? 'to' : full.from ? 'from' : 'none';
  if (shape === 'to') full.from = '';
  if (shape === 'from') full.to = '';
  const amount = smsAmount(f.amount, f.currency);
  const callBack = dialable(f.callBackNumber);

  const keys = ['account', 'deal', 'from', 'to'] as const;
  const lengths = keys.map((k) => gsm7Septets(full[k])!);
  // What the text costs without the names: render it with a marker for each name present (so its separators
  // are there), then take the markers out.
  const marker = Object.fromEntries(keys.map((k) => [k, full[k] && '\u0000'])) as Names;
  const fixed = gsm7Septets(render(marker, shape, amount, callBack).replaceAll('\u0000', ''))!;
  const caps = allot(lengths, SMS_MAX_SEPTETS - fixed);
  const short = Object.fromEntries(keys.map((k, i) => [k, shorten(full[k], caps[i]!)])) as Names;
  const text = render(short, shape, amount, callBack);
  if ((gsm7Septets(text) ?? Number.POSITIVE_INFINITY) <= SMS_MAX_SEPTETS) return text;
  // Unreachable with a 306-septet budget (the fixed part is under 140), kept so the limit holds whatever changes above.
  return render({ account: '', deal: '', from: '', to: '' }, 'none', amount, callBack);
}
