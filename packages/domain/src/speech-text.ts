/* Text that a TTS voice reads the way a person would say it: amounts and dates in words, no markup. */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
/** Short-scale names of 1000^i; beyond the last one the count of sextillions is itself spelled out. */
export const SCALE_WORDS = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion', 'quintillion', 'sextillion'] as const;
const THOUSAND = 1000n;
const TOP_SCALE = THOUSAND ** BigInt(SCALE_WORDS.length - 1);

/** 1..999 in words ("one hundred eighty-five"). */
function below1000(n: number): string {
  const parts: string[] = [];
  if (n >= 100) {
    parts.push(`${ONES[Math.floor(n / 100)]} hundred`);
    n %= 100;
  }
  if (n >= 20) parts.push(n % 10 ? `${TENS[Math.floor(n / 10)]}-${ONES[n % 10]}` : TENS[Math.floor(n / 10)]!);
  else if (n > 0) parts.push(ONES[n]!);
  return parts.join(' ');
}

function integerWords(n: bigint): string {
  if (n === 0n) return 'zero';
  if (n >= TOP_SCALE * THOUSAND) {
    const rest = n % TOP_SCALE;
    return `${integerWords(n / TOP_SCALE)} ${SCALE_WORDS.at(-1)}${rest ? ` ${integerWords(rest)}` : ''}`;
  }
  const parts: string[] = [];
  for (let i = SCALE_WORDS.length - 1; i >= 0; i--) {
    const size = THOUSAND ** BigInt(i);
    const group = Number((n / size) % THOUSAND);
    if (group) parts.push(i ? `${below1000(group)} ${SCALE_WORDS[i]}` : below1000(group));
  }
  return parts.join(' ');
}

/**
 * 185000 → "one hundred eighty-five thousand". Any finite number, truncated toward zero, exactly (no
 * floating-point rounding of large values); never a digit in the result.
 */
export function numberInWords(value: number): string {
  if (!Number.isFinite(value)) return 'an unknown number';
  const n = BigInt(Math.trunc(Math.abs(value)));
  return (value < 0 && n > 0n ? 'minus ' : '') + integerWords(n);
}

/** "2.75" → "two point seven five": the fraction digit by digit, the way figures are read out. */
export function decimalInWords(text: string): string {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  const whole = numberInWords(Number(m[1]));
  return m[2] ? `${whole} point ${[...m[2]].map((d) => ONES[Number(d)]).join(' ')}` : whole;
}

// ---- money ------------------------------------------------------------------------------------

const CURRENCY_NAMES: Record<string, [string, string]> = {
  USD: ['dollar', 'dollars'],
  EUR: ['euro', 'euros'],
  GBP: ['pound', 'pounds'],
  CAD: ['Canadian dollar', 'Canadian dollars'],
  AUD: ['Australian dollar', 'Australian dollars'],
  NZD: ['New Zealand dollar', 'New Zealand dollars'],
  JPY: ['yen', 'yen'],
  CHF: ['Swiss franc', 'Swiss francs'],
  INR: ['rupee', 'rupees'],
  CNY: ['yuan', 'yuan'],
  SEK: ['Swedish krona', 'Swedish kronor'],
  NOK: ['Norwegian krone', 'Norwegian kroner'],
  DKK: ['Danish krone', 'Danish kroner'],
  PLN: ['zloty', 'zloty'],
  MXN: ['Mexican peso', 'Mexican pesos'],
  BRL: ['Brazilian real', 'Brazilian reais'],
  SGD: ['Singapore dollar', 'Singapore dollars'],
  HKD: ['Hong Kong dollar', 'Hong Kong dollars'],
  ZAR: ['rand', 'rand'],
  ILS: ['shekel', 'shekels'],
  KRW: ['won', 'won'],
  AED: ['dirham', 'dirhams'],
};
const CURRENCY_SYMBOLS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW', '₪': 'ILS' };

/**
 * What an amount is counted in, singular and plural. `null` (Merge has no currency field) means dollars;
 * an unknown three-letter code is spelled out letter by letter; anything else is left unnamed.
 */
export function currencyWords(currency: string | null): [string, string] | null {
  if (currency === null || currency.trim() === '') return CURRENCY_NAMES.USD!;
  const code = CURRENCY_SYMBOLS[currency.trim()] ?? currency.trim().toUpperCase();
  const known = CURRENCY_NAMES[code];
  if (known) return known;
  if (/^[A-Z]{3}$/.test(code)) {
    const letters = [...code].join(' ');
    return [letters, letters];
  }
  return null;
}

const AMOUNT_SCALES: Array<[number, string]> = SCALE_WORDS.slice(2).map((name, i) => [10 ** (3 * (i + 2)), name]);

/**
 * Large amounts the way people say them: "one point two million dollars" (two decimals only when exact,
 * "two point seven five million"); below a million in full, rounded to whole units. Merge carries no
 * currency on opportunities, so dollars are assumed unless one is known. Never contains a digit.
 */
export function spokenAmount(amount: number, currency: string | null = null): string {
  return amountInWords(amount, currencyWords(currency));
}

/** spokenAmount with the unit given directly; `null` says the number alone ("fifty-eight thousand"). */
export function amountInWords(amount: number, names: [string, string] | null): string {
  if (!Number.isFinite(amount)) return 'an unknown amount';
  const sign = amount < 0 ? 'minus ' : '';
  const whole = Math.round(Math.abs(amount));
  const unit = (n: number) => (names ? ` ${n === 1 ? names[0] : names[1]}` : '');
  if (whole < 1e6) return `${whole === 0 ? '' : sign}${numberInWords(whole)}${unit(whole)}`;
  let i = AMOUNT_SCALES.findLastIndex(([size]) => whole >= size);
  let [size, name] = AMOUNT_SCALES[i]!;
  let hundredths = Math.round((whole / size) * 100);
  // 999,999,999 rounds to "one thousand million": say "one billion" instead.
  if (hundredths >= 100_000 && i < AMOUNT_SCALES.length - 1) {
    [size, name] = AMOUNT_SCALES[++i]!;
    hundredths = Math.round((whole / size) * 100);
  }
  // Past the last scale name the count itself is large ("two thousand sextillion"): said in whole units of it.
  if (hundredths >= 100_000) return `${sign}${numberInWords(Math.round(whole / size))} ${name}${unit(2)}`;
  const exact = hundredths * size === whole * 100;
  const tenths = exact && hundredths % 10 !== 0 ? null : Math.round((whole / size) * 10);
  const words =
    tenths === null
      ? decimalInWords(`${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`)
      : decimalInWords(tenths % 10 ? `${Math.floor(tenths / 10)}.${tenths % 10}` : String(tenths / 10));
  return `${sign}${words} ${name}${unit(2)}`;
}

// ---- dates ------------------------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const ORDINAL_ONES: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

export function ordinalInWords(n: number): string {
  const words = numberInWords(n);
  const m = /^(.*?)([a-z]+)$/.exec(words)!;
  const last = m[2]!;
  const ord = ORDINAL_ONES[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return `${m[1]}${ord}`;
}

/** 2026 → "twenty twenty-six", 2005 → "two thousand five", 1900 → "nineteen hundred", 1907 → "nineteen oh seven". */
export function spokenYear(year: number): string {
  if (!Number.isInteger(year) || year < 1100 || year > 9999 || (year >= 2000 && year < 2010)) return numberInWords(year);
  const hi = Math.floor(year / 100);
  const lo = year % 100;
  if (lo === 0) return `${numberInWords(hi)} hundred`;
  return `${numberInWords(hi)} ${lo < 10 ? `oh ${numberInWords(lo)}` : numberInWords(lo)}`;
}

const startOfUtcDay = (x: Date) => Date.UTC(x.getUTCFullYear(), x.getUTCMonth(), x.getUTCDate());

/** Whole calendar days from `now` to the date (negative when past); null for a date that does not parse. */
export function daysUntil(iso: string, now = new Date()): number | null {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return Math.round((startOfUtcDay(d) - startOfUtcDay(now)) / 86_400_000);
}

/** "December nineteenth, in twenty-four days" — the year only when it is more than a year away. */
export function spokenDate(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const days = daysUntil(iso, now);
  if (days === null) return 'an unknown date';
  const date = `${MONTHS[d.getUTCMonth()]} ${ordinalInWords(d.getUTCDate())}`;
  if (days === 0) return `${date}, today`;
  if (days === 1) return `${date}, tomorrow`;
  if (days > 1 && days <= 365) return `${date}, in ${numberInWords(days)} days`;
  if (days === -1) return `${date}, yesterday`;
  if (days < -1 && days >= -365) return `${date}, ${numberInWords(-days)} days ago`;
  return `${date}, ${spokenYear(d.getUTCFullYear())}`;
}

// ---- figures inside free text --------------------------------------------------------------------

const CODES = Object.keys(CURRENCY_NAMES).join('|');
const NUM = String.raw`(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?`;
const SUFFIX = String.raw`(?:\s?(k|K|m|M|MM|mm|bn|BN|b|B|thousand|million|billion|trillion)\b)?`;
const MULTIPLIER: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mm: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  trillion: 1e12,
};
const SYMBOL_AMOUNT = new RegExp(String.raw`([$€£¥₹₩₪])\s?${NUM}${SUFFIX}`, 'g');
const CODE_BEFORE = new RegExp(String.raw`\b(${CODES})\s?${NUM}${SUFFIX}`, 'g');
const CODE_AFTER = new RegExp(String.raw`(?<![\w.,])${NUM}${SUFFIX}\s?(${CODES})\b`, 'g');
const BARE_SCALED = /(?<![\w.,$€£¥])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(k|K|MM|mm|bn|BN)\b/g;
const PERCENT = /(?<![\w.,])(\d+)(?:\.(\d+))?\s?%/g;

function figure(int: string, frac: string | undefined, suffix: string | undefined): number {
  return Number(`${int.replace(/,/g, '')}.${frac ?? '0'}`) * (suffix ? (MULTIPLIER[suffix.toLowerCase()] ?? 1) : 1);
}

/**
 * Money and percentages as words: "$185,000" → "one hundred eighty-five thousand dollars", "€1.2M" →
 * "one point two million euros", "58k" → "fifty-eight thousand", "15%" → "fifteen percent". Other numbers
 * (a year, "FY26", a count) are left to the voice, which reads them well.
 */
export function speakFigures(text: string): string {
  return text
    .replace(
      SYMBOL_AMOUNT,
      apart((sym: string, int: string, frac?: string, suf?: string) => spokenAmount(figure(int, frac, suf), sym)),
    )
    .replace(
      CODE_BEFORE,
      apart((code: string, int: string, frac?: string, suf?: string) => spokenAmount(figure(int, frac, suf), code)),
    )
    .replace(
      CODE_AFTER,
      apart((int: string, frac: string | undefined, suf: string | undefined, code: string) => spokenAmount(figure(int, frac, suf), code)),
    )
    .replace(
      BARE_SCALED,
      apart((int: string, frac: string | undefined, suf: string) => amountInWords(figure(int, frac, suf), null)),
    )
    .replace(
      PERCENT,
      apart((int: string, frac?: string) => `${decimalInWords(frac ? `${int}.${frac}` : int)} percent`),
    );
}

/** A replacement whose words stay apart from letters or digits glued to the figure ("58k$5" must not become "fifty-eight thousandfive dollars"). */
function apart<A extends unknown[]>(say: (...groups: A) => string) {
  return (match: string, ...rest: unknown[]): string => {
    const whole = rest.at(-1) as string;
    const offset = rest.at(-2) as number;
    const words = say(...(rest.slice(0, -2) as A));
    const before = offset > 0 && /[\p{L}\p{N}]/u.test(whole[offset - 1]!) ? ' ' : '';
    const after = /[\p{L}\p{N}]/u.test(whole[offset + match.length] ?? '') ? ' ' : '';
    return `${before}${words}${after}`;
  };
}

// ---- cleaning ---------------------------------------------------------------------------------

/** Telnyx refuses speak payloads over 3,000 characters; we stay well under. */
export const MAX_SPOKEN_CHARS = 2500;

/** Emoji and their glue (joiners, variation selectors, skin tones, flags, keycaps, tags). */
export const EMOJI_PATTERN =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: the joiners and selectors are matched one by one on purpose, to be removed
  /[\p{Extended_Pictographic}\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Regional_Indicator}\u200d\u20e3\ufe0e\ufe0f\u{e0020}-\u{e007f}]/gu;
/** Anything with a scheme (the whole word around "://"), `www.` or a dotted host followed by a path. */
export const URL_PATTERN = /\S*:\/\/\S*|\bwww\.\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\/\S*/gi;
const EMAIL = /\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
/** Characters a voice would read out as symbols ("asterisk", "pipe") or that only make sense as markup. */
export const MARKUP_CHARS = /[*_#<>|~`[\]{}\\^=@]/g;
const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntity(_: string, name: string): string {
  const lower = name.toLowerCase();
  if (lower.startsWith('#x')) return safeCodePoint(Number.parseInt(lower.slice(2), 16));
  if (lower.startsWith('#')) return safeCodePoint(Number.parseInt(lower.slice(1), 10));
  return ENTITIES[lower] ?? ' ';
}
const safeCodePoint = (n: number) => (Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : ' ');

/** One pass of the pipeline; cleanForSpeech repeats it until nothing changes. Order matters (see comments). */
function cleanOnce(text: string): string {
  return speakFigures(
    text
      .normalize('NFKC')
      // Invisible characters first, so "ht\u200btp://" cannot slip past the URL rule as two words.
      .replace(/[\p{Cf}\p{Co}\p{Cn}\p{Cs}]/gu, '')
      .replace(/[\p{Cc}\u2028\u2029]/gu, ' ')
      .replace(/&(nbsp|amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-f]{1,6});/gi, decodeEntity)
      .replace(/<\|[^|>]{0,40}\|>/g, ' ')
      .replace(/<\/?[a-z][^<>]*>/gi, ' ')
      .replace(EMOJI_PATTERN, ' ')
      .replace(/```[\s\S]*?```/g, ' ')
      .replace(/`([^`]*)`/g, '$1')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(URL_PATTERN, ' ')
      .replace(EMAIL, ' ')
      .replace(/^[ \t]{0,3}#{1,6}[ \t]*/gm, '')
      .replace(/^[ \t]*(?:(?:[-*+•]|\d{1,2}[.)])[ \t]+)+/gm, '')
      .replace(/(\*\*|__|\*|_|~~)(\S[^*_~\n]*?)\1/g, '$2')
      .replace(/[ \t]*(?:->|=>|→|⇒|➔|⟶)[ \t]*/g, ' to ')
      .replace(MARKUP_CHARS, ' ')
      .replace(/(?:[ \t]*-{2,}[ \t]*)+/g, ' - ')
      .replace(URL_PATTERN, ' '),
  )
    .replace(/\s*\.{3,}\s*/g, ', ')
    .replace(/\s+/g, ' ')
    .replace(/ ([.,!?;:])/g, '$1')
    .replace(/([.!?])[.!?]+/g, '$1')
    .replace(/([,;:])[,;:]+/g, '$1')
    .replace(/[,;:]([.!?])/g, '$1')
    .replace(/^[\s.,;:!?)-]+/, '')
    .replace(/[\s,;:]+$/, '')
    .trim();
}

/** Last line of defence: every removal becomes a space, so nothing removed can join its neighbours into something new. */
function guard(text: string): string {
  return text.replace(EMOJI_PATTERN, ' ').replace(URL_PATTERN, ' ').replace(MARKUP_CHARS, ' ').replace(/\s+/g, ' ').trim();
}

/** Cuts at a sentence end when one is late enough, else at a word; never splits a surrogate pair; never exceeds max. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('! '), cut.lastIndexOf('? '));
  if (end > max / 2) return cut.slice(0, end + 1);
  const space = cut.lastIndexOf(' ', max - 2);
  let words = space > 0 ? cut.slice(0, space) : cut.slice(0, max - 1);
  if (/[\ud800-\udbff]$/.test(words)) words = words.slice(0, -1);
  words = words.replace(/[\s.,;:!?(-]+$/, '');
  return words ? `${words}.` : '';
}

/**
 * What a voice should read: no markdown, HTML, URLs, e-mail addresses, emoji, control or invisible
 * characters; money and percentages in words; at most `max` characters, cut at a sentence end.
 * Idempotent: cleaning clean text changes nothing.
 */
export function cleanForSpeech(text: string, max = MAX_SPOKEN_CHARS): string {
  const limit = Math.max(2, max);
  let t = text;
  // Cutting can expose a new match at the cut ("58k$5…" cut after "58k"), so clean and cut until stable.
  for (let round = 0; round < 4; round++) {
    let c = t;
    for (let i = 0; i < 6; i++) {
      const next = cleanOnce(c);
      if (next === c) break;
      c = next;
    }
    const next = cap(guard(c), limit);
    if (next === t) break;
    t = next;
  }
  return cap(guard(t), limit);
}

/** Words as a voice counts them (for length limits). */
export const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;
