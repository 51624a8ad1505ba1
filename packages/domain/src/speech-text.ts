/* Text that a TTS voice reads the way a person would say it: amounts and dates in words, no markup. */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [number, string][] = [[1e12, 'trillion'], [1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']];

function below1000(n: number): string {
  const parts: string[] = [];
  if (n >= 100) {
    parts.push(`${ONES[Math.floor(n / 100)]} hundred`);
    n %= 100;
  }
  if (n >= 20) parts.push(n % 10 ? `${TENS[Math.floor(n / 10)]}-${ONES[n % 10]}` : TENS[Math.floor(n / 10)]!);
  else if (n > 0 || parts.length === 0) parts.push(ONES[n]!);
  return parts.join(' ');
}

/** 185000 → "one hundred eighty-five thousand". Integers up to the trillions. */
export function numberInWords(value: number): string {
  let n = Math.floor(Math.abs(value));
  if (n === 0) return 'zero';
  const parts: string[] = [];
  for (const [size, name] of SCALES) {
    if (n >= size) {
      parts.push(`${below1000(Math.floor(n / size))} ${name}`);
      n %= size;
    }
  }
  if (n > 0) parts.push(below1000(n));
  return (value < 0 ? 'minus ' : '') + parts.join(' ');
}

const CURRENCY_NAMES: Record<string, [string, string]> = {
  USD: ['dollar', 'dollars'], EUR: ['euro', 'euros'], GBP: ['pound', 'pounds'], CAD: ['Canadian dollar', 'Canadian dollars'],
  AUD: ['Australian dollar', 'Australian dollars'], JPY: ['yen', 'yen'], CHF: ['Swiss franc', 'Swiss francs'], INR: ['rupee', 'rupees'],
};

/**
 * Large amounts are rounded the way people say them ("one point two million dollars"), smaller ones in full.
 * Merge carries no currency on opportunities, so dollars are assumed unless one is known.
 */
export function spokenAmount(amount: number, currency: string | null = null): string {
  const [one, many] = CURRENCY_NAMES[(currency ?? 'USD').toUpperCase()] ?? [currency ?? 'dollar', currency ?? 'dollars'];
  const whole = Math.round(amount);
  if (whole >= 1e6) {
    const [size, name] = SCALES.find(([s]) => whole >= s)!;
    const scaled = Math.round((whole / size) * 10) / 10;
    const [int, dec] = String(scaled).split('.');
    const words = `${numberInWords(Number(int))}${dec ? ` point ${numberInWords(Number(dec))}` : ''} ${name}`;
    return `${words} ${many}`;
  }
  return `${numberInWords(whole)} ${whole === 1 ? one : many}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const ORDINAL_ONES: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' };

export function ordinalInWords(n: number): string {
  const words = numberInWords(n);
  const m = /^(.*?)([a-z]+)$/.exec(words)!;
  const last = m[2]!;
  const ord = ORDINAL_ONES[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return `${m[1]}${ord}`;
}

/** "December nineteenth, in twenty-four days" — relative part only when it helps. */
export function spokenDate(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'an unknown date';
  const date = `${MONTHS[d.getUTCMonth()]} ${ordinalInWords(d.getUTCDate())}`;
  const startOf = (x: Date) => Date.UTC(x.getUTCFullYear(), x.getUTCMonth(), x.getUTCDate());
  const days = Math.round((startOf(d) - startOf(now)) / 86_400_000);
  if (days === 0) return `${date}, today`;
  if (days === 1) return `${date}, tomorrow`;
  if (days > 1 && days <= 365) return `${date}, in ${numberInWords(days)} days`;
  if (days === -1) return `${date}, yesterday`;
  if (days < -1 && days >= -365) return `${date}, ${numberInWords(-days)} days ago`;
  return `${date} ${numberInWords(d.getUTCFullYear())}`;
}

/** Telnyx refuses speak payloads over 3,000 characters; we stay well under. */
export const MAX_SPOKEN_CHARS = 2500;

/** Strips what a voice would read out literally (markdown, URLs, emoji) and caps the length at a sentence end. */
export function cleanForSpeech(text: string, max = MAX_SPOKEN_CHARS): string {
  let t = text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .replace(/\bwww\.\S+/gi, ' ')
    .replace(/^\s{0,3}#{1,6}\s*/gm, '')
    .replace(/^\s*([-*+•]|\d+[.)])\s+/gm, '')
    .replace(/(\*\*|__|\*|_|~~)(\S[^*_~]*?)\1/g, '$2')
    .replace(/[*_#>|~]/g, ' ')
    .replace(/\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f/gu, '')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length > max) {
    const cut = t.slice(0, max);
    const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('! '), cut.lastIndexOf('? '));
    t = end > max / 2 ? cut.slice(0, end + 1) : `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : max)}.`;
  }
  return t;
}
