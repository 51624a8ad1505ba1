import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type FollowUpFacts, followUpText, gsm7Septets, SMS_MAX_SEPTETS, smsAmount, toGsm7 } from '../src/follow-up-text.ts';

// ---- the GSM 7-bit default alphabet, typed from 3GPP TS 23.038 table 6.2.1 (column by column) ---------

/** Columns 0x00..0x70 of the basic table; null is 0x1B (escape to the extension table). */
const COLUMNS: Array<Array<string | null>> = [
  ['@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å'],
  ['Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', null, 'Æ', 'æ', 'ß', 'É'],
  [' ', '!', '"', '#', '¤', '%', '&', "'", '(', ')', '*', '+', ',', '-', '.', '/'],
  ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?'],
  ['¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O'],
  ['P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§'],
  ['¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o'],
  ['p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à'],
];
const BASIC = new Set(COLUMNS.flat().filter((c): c is string => c !== null));
/** Extension table: form feed 0x0A, ^ 0x14, { 0x28, } 0x29, \ 0x2F, [ 0x3C, ~ 0x3D, ] 0x3E, | 0x40, € 0x65. */
const EXTENSION = new Set(['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€']);

// ---- arbitraries ------------------------------------------------------------------------------

/** Pieces CRM names really contain, plus the nasty ones: emoji, RTL, combining marks, controls, lone surrogates. */
const fragment = fc.constantFrom(
  'Northwind',
  'Traders',
  'Société',
  'Générale',
  'Straße',
  'Łódź',
  'Ærøskøbing',
  'Français',
  'Москва',
  'Αθήνα',
  '中文',
  'שלום',
  'مرحبا',
  '\u202e',
  '\u200f',
  '“',
  '”',
  '‘',
  '’',
  '–',
  '—',
  '…',
  '\u00a0',
  '\u2028',
  '🚀',
  '👨‍💻',
  '🇺🇸',
  '👍🏽',
  '1️⃣',
  '\u200d',
  '\ufeff',
  '\u0301',
  'e\u0301',
  '\u0000',
  '\u0007',
  '\n',
  '\r\n',
  '\t',
  '\f',
  '€',
  '[',
  ']',
  '{',
  '}',
  '^',
  '~',
  '\\',
  '|',
  '`',
  'ç',
  'Ç',
  'ẞ',
  'ﬁ',
  '½',
  '$',
  '@',
  '¤',
  '\ud83d',
  '\udc00',
  '...',
  ' - ',
  '->',
  '.',
  ' ',
  '   ',
);
const messy = (maxLength: number) => fc.array(fragment, { maxLength, size: 'max' }).map((xs) => xs.join(''));
const anyText = fc.oneof(
  { weight: 3, arbitrary: messy(20) },
  { weight: 2, arbitrary: messy(600) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 5000, size: 'max' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 5000, size: 'max' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 300, maxLength: 5000, size: 'max' }) },
);
const amount = fc.oneof(
  fc.constant(null),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 250_000, 0.5, -1234.567, 1e21, -1e300, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY),
);
const currency = fc.oneof(
  fc.constantFrom(null, 'USD', 'usd', 'EUR', 'eur', 'GBP', '$', '€', '£', 'US$', '', '  ', 'XYZ', 'EURO'),
  fc.string({ unit: 'binary', maxLength: 50 }),
);
const e164 = fc.stringMatching(/^\+[1-9]\d{6,14}$/);
const facts = (callBackNumber: fc.Arbitrary<string>): fc.Arbitrary<FollowUpFacts> =>
  fc.record({
    account: fc.option(anyText, { freq: 5 }),
    deal: anyText,
    amount,
    currency,
    stageFrom: fc.option(anyText, { freq: 5 }),
    stageTo: fc.option(anyText, { freq: 5 }),
    callBackNumber,
  });

/**
 * How much of `name` (already GSM-7) the text shows: all of it, or the longest prefix that appears followed
 * by "..." (trailing spaces and punctuation may be trimmed before the ellipsis). -1 when neither.
 */
function shownLength(text: string, name: string): number {
  if (text.includes(name)) return name.length;
  for (let k = Math.min(name.length, text.length); k >= 0; k--) {
    if (text.includes(`${name.slice(0, k).replace(/[\s\-,.;:(/]+$/, '')}...`)) return k;
  }
  return -1;
}

// ---- properties ---------------------------------------------------------------------------------

describe('followUpText (properties)', () => {
  it('is GSM-7, at most two segments, and keeps the call-back number and the amount, whatever the facts', () => {
    fc.assert(
      fc.property(facts(e164), (f) => {
        const text = followUpText(f);
        const septets = gsm7Septets(text);
        expect(septets, text).not.toBeNull();
        expect(septets!).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
        expect(text).toContain(`Call ${f.callBackNumber} `);
        const shown = smsAmount(f.amount, f.currency);
        if (f.amount !== null && Number.isFinite(f.amount)) {
          expect(shown).not.toBeNull();
          expect(text.includes(`, ${shown}`) || text.startsWith(`Deal alert: ${shown}`), `${shown} in ${text}`).toBe(true);
        } else expect(shown).toBeNull();
      }),
      { numRuns: 800 },
    );
  });

  it('shows every name in full or shortened fairly with "...", never a name that was empty after transliteration', () => {
    fc.assert(
      fc.property(facts(e164), (f) => {
        const text = followUpText(f);
        const names = [f.account, f.deal, f.stageFrom, f.stageTo].map((n) => toGsm7(n ?? '')).filter((n) => n !== '');
        for (const name of names) {
          const shown = shownLength(text, name);
          expect(shown, `${name.slice(0, 80)} in ${text}`).toBeGreaterThanOrEqual(0);
          // Four names share at least ~170 septets: each keeps a good start of itself (word-end cut included).
          expect(shown + 3).toBeGreaterThanOrEqual(Math.min(name.length, 28));
        }
        if (names.every((n) => text.includes(n) && !n.includes('...'))) expect(text).not.toMatch(/\.\.\.(?: -|,| ->| Missed)/);
      }),
      { numRuns: 800 },
    );
  });

  it('never crashes and stays within the limit for any call-back string either', () => {
    fc.assert(
      fc.property(facts(fc.oneof(anyText, fc.stringMatching(/^\+?[\d ()-]{0,40}$/))), (f) => {
        const text = followUpText(f);
        expect(gsm7Septets(text)).not.toBeNull();
        expect(gsm7Septets(text)!).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves short plain ASCII facts exactly as given', () => {
    const word = fc.stringMatching(/^[A-Za-z][a-z]{0,11}$/);
    const name = fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' '));
    fc.assert(
      fc.property(name, name, fc.integer({ min: 0, max: 10_000_000 }), name, name, e164, (account, deal, n, from, to, phone) => {
        fc.pre(from !== to);
        const text = followUpText({
          account,
          deal,
          amount: n,
          currency: null,
          stageFrom: from,
          stageTo: to,
          callBackNumber: phone,
        });
        expect(text).toBe(
          `Deal alert: ${account} - ${deal}, $${n.toLocaleString('en-US')}, ${from} -> ${to}. Missed our call? Call ${phone} to hear it and connect to the AE.`,
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('toGsm7 / gsm7Septets (properties)', () => {
  it('gsm7Septets agrees with the 3GPP table for every BMP character', () => {
    for (let cp = 0; cp <= 0xffff; cp++) {
      const ch = String.fromCharCode(cp);
      expect(gsm7Septets(ch), `U+${cp.toString(16)}`).toBe(BASIC.has(ch) ? 1 : EXTENSION.has(ch) ? 2 : null);
    }
    expect(BASIC.size).toBe(127);
    expect(gsm7Septets('\u{1f680}')).toBeNull();
    expect(gsm7Septets('')).toBe(0);
  });

  it('gsm7Septets adds up over concatenation', () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        const [x, y, xy] = [gsm7Septets(a), gsm7Septets(b), gsm7Septets(a + b)];
        if (x === null || y === null) expect(xy).toBeNull();
        else expect(xy).toBe(x + y);
      }),
      { numRuns: 500 },
    );
  });

  it('output is always encodable, single-spaced, trimmed and idempotent', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const once = toGsm7(s);
        expect(gsm7Septets(once)).not.toBeNull();
        expect(once).toBe(once.trim());
        expect(once).not.toMatch(/\s{2}|[\n\r\f]/);
        expect(toGsm7(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps text already in GSM-7 (spacing aside)', () => {
    const gsmChar = fc.constantFrom(...[...BASIC, ...EXTENSION].filter((c) => !/\s/.test(c)));
    const gsmWord = fc.array(gsmChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(gsmWord, { maxLength: 10 }), (ws) => {
        expect(toGsm7(ws.join(' '))).toBe(ws.join(' '));
        expect(toGsm7(` ${ws.join('\u00a0\n\t ')} `)).toBe(ws.join(' '));
      }),
      { numRuns: 500 },
    );
  });
});

describe('smsAmount (properties)', () => {
  it('groups thousands, shows cents only when there are some, and says the same amount', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e13, max: 1e13, noNaN: true }), (n) => {
        const shown = smsAmount(n, null)!;
        const m = /^(-?)\$(\d{1,3}(?:,\d{3})*)(?:\.(\d\d))?$/.exec(shown);
        expect(m, shown).not.toBeNull();
        const value = Number(`${m![2]!.replaceAll(',', '')}.${m![3] ?? '0'}`) * (m![1] ? -1 : 1);
        expect(Math.abs(value - n)).toBeLessThanOrEqual(0.005 + Math.abs(n) * 1e-15);
        if (m![3] !== undefined) expect(m![3]).not.toBe('00');
        if (m![1]) expect(value).toBeLessThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('is ASCII and bounded for any double and any currency; null only for null or non-finite', () => {
    fc.assert(
      fc.property(fc.option(fc.double()), currency, (n, c) => {
        const shown = smsAmount(n, c);
        if (n === null || !Number.isFinite(n)) expect(shown).toBeNull();
        else {
          expect(shown).toMatch(/^[\x20-\x7e]{1,40}$/);
          expect(gsm7Septets(shown!)).toBe(shown!.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

// ---- examples ---------------------------------------------------------------------------------

const northwind: FollowUpFacts = {
  account: 'Northwind Traders',
  deal: 'Northwind Expansion',
  amount: 250_000,
  currency: null,
  stageFrom: 'Proposal',
  stageTo: 'Negotiation',
  callBackNumber: '+15550100999',
};

describe('followUpText (examples)', () => {
  it('reads the usual alert plainly, in one segment', () => {
    const text = followUpText(northwind);
    expect(text).toBe(
      'Deal alert: Northwind Traders - Northwind Expansion, $250,000, Proposal -> Negotiation. Missed our call? Call +15550100999 to hear it and connect to the AE.',
    );
    expect(gsm7Septets(text)!).toBeLessThanOrEqual(160);
  });

  it('keeps é and other letters GSM-7 has (they cost one septet), transliterates the rest', () => {
    // é is 0x05 in the GSM-7 basic table: "Société Générale" stays as written.
    expect(toGsm7('Société Générale')).toBe('Société Générale');
    expect(followUpText({ ...northwind, account: 'Société Générale' })).toContain('Deal alert: Société Générale - Northwind Expansion');
    expect(toGsm7('Crème Brûlée Façade')).toBe('Crème Brulée Facade');
    expect(toGsm7('Straße Łódź Ærøskøbing ẞ')).toBe('Straße Lodz Ærøskøbing SS');
    expect(toGsm7('Çà ça')).toBe('Çà ca');
    expect(toGsm7('Đorđe Þór Œuvre')).toBe('Dorde Thor OEuvre');
    expect(toGsm7('Москва Αθήνα')).toBe('Moskva AΘHNA');
    expect(toGsm7('e\u0301t\u00e9')).toBe('été');
  });

  it('omits an account that is only emoji', () => {
    const text = followUpText({ ...northwind, account: '🚀🔥👨‍💻' });
    expect(text.startsWith('Deal alert: Northwind Expansion, $250,000')).toBe(true);
    expect(followUpText({ ...northwind, account: null })).toBe(text);
    expect(followUpText({ ...northwind, account: '  ' })).toBe(text);
  });

  it('straightens curly quotes, dashes and ellipses; drops emoji, invisibles and controls', () => {
    expect(toGsm7('“Big” deal – it’s ‘done’ — really…')).toBe("\"Big\" deal - it's 'done' - really...");
    expect(toGsm7('Acme\u00a0\u00a0Corp\u200b 🚀\tInc\u0000.')).toBe('Acme Corp Inc .');
    expect(toGsm7('½ ﬁle ™ `x´')).toBe("1/2 file TM 'x'");
    expect(followUpText({ ...northwind, deal: '“Q3” Renewal' })).toContain('Northwind Traders - "Q3" Renewal, $250,000');
  });

  it('shortens a very long deal name with "..." and keeps the rest whole', () => {
    const deal = 'Northwind Global Expansion Program '.repeat(40);
    const text = followUpText({ ...northwind, deal, currency: 'EUR' });
    expect(gsm7Septets(text)!).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
    expect(gsm7Septets(text)!).toBeGreaterThan(280);
    expect(text).toMatch(
      /^Deal alert: Northwind Traders - Northwind Global Expansion Program Northwind .*\.\.\., EUR 250,000, Proposal -> Negotiation\. /,
    );
    expect(text.endsWith('Missed our call? Call +15550100999 to hear it and connect to the AE.')).toBe(true);
  });

  it('shares the room fairly when every name is long', () => {
    const long = (w: string) => `${w} `.repeat(300);
    const text = followUpText({ ...northwind, account: long('Acct'), deal: long('Deal'), stageFrom: long('From'), stageTo: long('Into') });
    expect(gsm7Septets(text)!).toBeLessThanOrEqual(SMS_MAX_SEPTETS);
    const counts = ['Acct', 'Deal', 'From', 'Into'].map((w) => text.split(w).length - 1);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(text.match(/\.\.\./g)).toHaveLength(4);
  });

  it('formats amounts and currencies the short ASCII way', () => {
    const at = (amount: number | null, currency: string | null = null) => followUpText({ ...northwind, amount, currency });
    expect(at(1_234.5)).toContain(', $1,234.50, ');
    expect(at(-42_000, 'eur')).toContain(', EUR -42,000, ');
    expect(at(9_500, '€')).toContain(', EUR 9,500, ');
    expect(at(9_500, '£')).toContain(', GBP 9,500, ');
    expect(at(0)).toContain(', $0, ');
    expect(at(Number.NaN)).toBe(at(null));
    expect(at(Number.POSITIVE_INFINITY)).toBe(at(null));
    expect(at(null)).toContain('Northwind Expansion, Proposal -> Negotiation.');
    expect(at(Number.MAX_VALUE)).toContain(', $1.8E308, ');
    expect(at(5, 'not a currency')).toContain(', 5, ');
  });

  it('words the stages for what is known', () => {
    const at = (stageFrom: string | null, stageTo: string | null) => followUpText({ ...northwind, stageFrom, stageTo });
    expect(at(null, 'Negotiation')).toContain(', $250,000, now Negotiation. Missed');
    expect(at('Negotiation', 'Negotiation')).toContain(', $250,000, now Negotiation. Missed');
    expect(at('Proposal', null)).toContain(', $250,000, moved from Proposal. Missed');
    expect(at(null, null)).toContain(', $250,000. Missed');
    expect(followUpText({ ...northwind, account: null, deal: '🚀', amount: null, stageFrom: null, stageTo: null })).toBe(
      'Deal alert. Missed our call? Call +15550100999 to hear it and connect to the AE.',
    );
  });

  it('writes the call-back number as dialable digits', () => {
    expect(followUpText({ ...northwind, callBackNumber: '+1 (555) 010-0999' })).toContain('Call +15550100999 to hear it');
    expect(followUpText({ ...northwind, callBackNumber: '' })).toContain('Call this number back to hear it');
  });

  it('counts extension characters as two septets', () => {
    expect(gsm7Septets('€[]{}^~\\|')).toBe(18);
    expect(gsm7Septets('Ça coûte')).toBeNull();
    expect(gsm7Septets('Ça coute 5 €')).toBe(13);
    expect(gsm7Septets('`')).toBeNull();
  });
});
