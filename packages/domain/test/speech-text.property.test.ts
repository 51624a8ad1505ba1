import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cleanForSpeech,
  daysUntil,
  MAX_SPOKEN_CHARS,
  numberInWords,
  ordinalInWords,
  speakFigures,
  spokenAmount,
  spokenDate,
  spokenYear,
} from '../src/speech-text.ts';

// ---- a parser for what numberInWords says, written independently of it --------------------------

const SMALL: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALE: Record<string, bigint> = {
  thousand: 10n ** 3n,
  million: 10n ** 6n,
  billion: 10n ** 9n,
  trillion: 10n ** 12n,
  quadrillion: 10n ** 15n,
  quintillion: 10n ** 18n,
  sextillion: 10n ** 21n,
};

/** Strict: scales must fall, groups must be 1..999, tens-units must be hyphenated ("twenty-one"). */
function parseNumberWords(text: string): bigint {
  const words = text.split(' ');
  let sign = 1n;
  if (words[0] === 'minus') {
    sign = -1n;
    words.shift();
  }
  if (words.length === 1 && words[0] === 'zero') return 0n;
  let total = 0n;
  let group = 0n;
  let lastScale = 10n ** 30n;
  for (const w of words) {
    if (w === 'hundred') {
      if (group < 1n || group > 9n) throw new Error(`bad hundreds in "${text}"`);
      group *= 100n;
    } else if (SCALE[w] !== undefined) {
      if (group < 1n || group > 999n || SCALE[w]! >= lastScale) throw new Error(`bad scale "${w}" in "${text}"`);
      total += group * SCALE[w]!;
      lastScale = SCALE[w]!;
      group = 0n;
    } else {
      const [tens, unit, extra] = w.split('-');
      if (extra !== undefined || SMALL[tens!] === undefined || SMALL[tens!] === 0) throw new Error(`unexpected word "${w}" in "${text}"`);
      if (
        unit !== undefined &&
        (SMALL[tens!]! < 20 || SMALL[tens!]! % 10 !== 0 || SMALL[unit] === undefined || SMALL[unit]! < 1 || SMALL[unit]! > 9)
      )
        throw new Error(`bad "${w}"`);
      if (group % 100n !== 0n) throw new Error(`two numbers in a row in "${text}"`);
      group += BigInt(SMALL[tens!]! + (unit !== undefined ? SMALL[unit]! : 0));
    }
  }
  return sign * (total + group);
}

/** "one point two five million" → 1_250_000 (approximately, as said). */
function parseSpokenFigure(text: string): number {
  const m =
    /^(minus )?(.+?)(?: point ((?:(?:zero|one|two|three|four|five|six|seven|eight|nine) ?)+))?(?: (million|billion|trillion|quadrillion|quintillion|sextillion))?$/.exec(
      text,
    );
  if (!m) throw new Error(`cannot parse "${text}"`);
  const whole = Number(parseNumberWords(m[2]!));
  const frac = m[3]
    ? Number(
        `0.${m[3]
          .trim()
          .split(' ')
          .map((d) => SMALL[d])
          .join('')}`,
      )
    : 0;
  const scale = m[4] ? Number(SCALE[m[4]]) : 1;
  return (m[1] ? -1 : 1) * (whole + frac) * scale;
}

const DIGIT = /\d/;
const anyDouble = fc.double();

describe('numberInWords', () => {
  it('round-trips through an independent parser for every integer up to the sextillions', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double({ min: -1e21 + 1, max: 1e21 - 1, noNaN: true })), (n) => {
        expect(parseNumberWords(numberInWords(n))).toBe(BigInt(Math.trunc(n)));
      }),
      { numRuns: 2000 },
    );
  });

  it('never contains a digit and is only lower-case words, for any double at all', () => {
    fc.assert(
      fc.property(anyDouble, (n) => {
        const w = numberInWords(n);
        expect(w).not.toMatch(DIGIT);
        expect(w).toMatch(/^[a-z]+(?:[ -][a-z]+)*$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('says the usual examples the usual way', () => {
    expect(numberInWords(0)).toBe('zero');
    expect(numberInWords(7)).toBe('seven');
    expect(numberInWords(21)).toBe('twenty-one');
    expect(numberInWords(100)).toBe('one hundred');
    expect(numberInWords(185_000)).toBe('one hundred eighty-five thousand');
    expect(numberInWords(1_000_001)).toBe('one million one');
    expect(numberInWords(-42.9)).toBe('minus forty-two');
    expect(numberInWords(-0.5)).toBe('zero');
    expect(numberInWords(Number.NaN)).toBe('an unknown number');
    expect(numberInWords(1e21)).toBe('one sextillion');
  });
});

describe('spokenAmount', () => {
  const currency = fc.oneof(
    fc.constantFrom(null, 'USD', 'EUR', 'GBP', 'JPY', 'CHF', 'eur', '$', '£', '€', 'XYZ', ''),
    fc.string({ maxLength: 6 }),
  );

  it('never contains a digit, for any double and any currency string', () => {
    fc.assert(
      fc.property(anyDouble, currency, (n, c) => {
        expect(spokenAmount(n, c)).not.toMatch(DIGIT);
      }),
      { numRuns: 3000 },
    );
  });

  it('says amounts under a million exactly (rounded to whole units) and larger ones within 5%', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e20, noNaN: true }), (n) => {
        const said = spokenAmount(n, 'EUR');
        expect(said).toMatch(/ euros?$/);
        const figure = parseSpokenFigure(said.replace(/ euros?$/, ''));
        if (Math.round(n) < 1e6) expect(figure).toBe(Math.round(n));
        else expect(Math.abs(figure - Math.round(n)) / Math.round(n)).toBeLessThanOrEqual(0.05);
      }),
      { numRuns: 3000 },
    );
  });

  it('names the currency when it is known, dollars when Merge gave none', () => {
    expect(spokenAmount(185_000)).toBe('one hundred eighty-five thousand dollars');
    expect(spokenAmount(1, 'USD')).toBe('one dollar');
    expect(spokenAmount(42_000, 'EUR')).toBe('forty-two thousand euros');
    expect(spokenAmount(9_500, 'gbp')).toBe('nine thousand five hundred pounds');
    expect(spokenAmount(1_200_000, 'EUR')).toBe('one point two million euros');
    expect(spokenAmount(2_750_000, 'GBP')).toBe('two point seven five million pounds');
    expect(spokenAmount(1_234_567)).toBe('one point two million dollars');
    expect(spokenAmount(999_999_999)).toBe('one billion dollars');
    expect(spokenAmount(5_000_000, 'JPY')).toBe('five million yen');
    expect(spokenAmount(40_000, 'SEK')).toBe('forty thousand Swedish kronor');
    expect(spokenAmount(40_000, 'XYZ')).toBe('forty thousand X Y Z');
    expect(spokenAmount(Number.POSITIVE_INFINITY)).toBe('an unknown amount');
  });
});

const ORDINALS = [
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
  'eleventh',
  'twelfth',
  'thirteenth',
  'fourteenth',
  'fifteenth',
  'sixteenth',
  'seventeenth',
  'eighteenth',
  'nineteenth',
  'twentieth',
  'twenty-first',
  'twenty-second',
  'twenty-third',
  'twenty-fourth',
  'twenty-fifth',
  'twenty-sixth',
  'twenty-seventh',
  'twenty-eighth',
  'twenty-ninth',
  'thirtieth',
  'thirty-first',
];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

describe('spokenDate', () => {
  const day = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T23:59:59Z'), noInvalidDate: true });

  it('never contains a digit; names the month and the day; counts the days exactly within a year', () => {
    fc.assert(
      fc.property(day, day, (when, now) => {
        const said = spokenDate(when.toISOString(), now);
        expect(said).not.toMatch(DIGIT);
        const m = /^([A-Z][a-z]+) ([a-z-]+), (.+)$/.exec(said);
        expect(m, said).not.toBeNull();
        expect(m![1]).toBe(MONTHS[when.getUTCMonth()]);
        expect(ORDINALS.indexOf(m![2]!) + 1).toBe(when.getUTCDate());
        const days = daysUntil(when.toISOString(), now)!;
        const rel = m![3]!;
        if (days === 0) expect(rel).toBe('today');
        else if (days === 1) expect(rel).toBe('tomorrow');
        else if (days === -1) expect(rel).toBe('yesterday');
        else if (days > 1 && days <= 365) expect(Number(parseNumberWords(/^in (.+) days$/.exec(rel)![1]!))).toBe(days);
        else if (days < -1 && days >= -365) expect(Number(parseNumberWords(/^(.+) days ago$/.exec(rel)![1]!))).toBe(-days);
        else expect(rel).toBe(spokenYear(when.getUTCFullYear()));
      }),
      { numRuns: 2000 },
    );
  });

  it('ordinals 1..31 are the English ones', () => {
    for (let d = 1; d <= 31; d++) expect(ordinalInWords(d)).toBe(ORDINALS[d - 1]);
  });

  it('years as people say them; bad input is "an unknown date"', () => {
    expect(spokenYear(2026)).toBe('twenty twenty-six');
    expect(spokenYear(2005)).toBe('two thousand five');
    expect(spokenYear(1999)).toBe('nineteen ninety-nine');
    expect(spokenYear(1900)).toBe('nineteen hundred');
    expect(spokenYear(1907)).toBe('nineteen oh seven');
    expect(spokenDate('2026-12-19T00:00:00Z', new Date('2026-11-25T15:00:00Z'))).toBe('December nineteenth, in twenty-four days');
    expect(spokenDate('2028-03-01', new Date('2026-11-25'))).toBe('March first, twenty twenty-eight');
    expect(spokenDate('not a date')).toBe('an unknown date');
  });
});

// ---- cleanForSpeech ---------------------------------------------------------------------------

const FORBIDDEN_MARKUP = /[*_#<>|~`[\]{}\\^=@]/;
const URLISH = /:\/\/|\bwww\.\S|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\//i;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each joiner or selector left over is itself a finding
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Regional_Indicator}\u200d\u20e3\ufe0e\ufe0f]/u;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}]/u;

/** Pieces a model (or a CRM note) actually produces, shuffled together with arbitrary text. */
const fragment = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      '**',
      '*',
      '_',
      '__',
      '~~',
      '#',
      '## ',
      '### ',
      '\n',
      '\n\n',
      '- ',
      '* ',
      '1. ',
      '2) ',
      '> ',
      '`',
      '```',
      '```js\n',
      '[',
      ']',
      '(',
      ')',
      '](',
      '|',
      ' | ',
      '|---|---|',
      '<b>',
      '</b>',
      '<br/>',
      '<|im_end|>',
      '&amp;',
      '&nbsp;',
      '&#128512;',
      '&lt;',
      '->',
      '→',
      '...',
      '!!!',
      '?!',
      ' .',
      ',,',
      ';',
      ':',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'http://',
      'https://',
      'www.',
      'crm.example.com/',
      '.com',
      '/path?x=1',
      'mailto:',
      'dana@northwind.example',
      '@',
      'ht',
      'tp',
      '://',
      'w',
      '.',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '🚀',
      '👨‍💻',
      '🇺🇸',
      '1️⃣',
      '👍🏽',
      '💰',
      '✅',
      '©',
      '\u200b',
      '\u200d',
      '\ufeff',
      '\u0000',
      '\u0007',
      '\t',
      '\u2028',
      '\ud83d',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '$185,000',
      '€1.2M',
      '£9,500',
      '58k',
      '15%',
      '2.5 %',
      'USD 2bn',
      '300 GBP',
      'FY26',
      '2026',
      '$',
      '%',
      '1',
      '0.5',
    ),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'Northwind',
      'Traders',
      'deal',
      'moved',
      'to',
      'Negotiation',
      'the',
      'CFO',
      'is',
      'ready',
      'Dana',
      ' ',
      ' ',
      '. ',
      ', ',
    ),
  },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
);
const messy = fc.array(fragment, { maxLength: 60 }).map((xs) => xs.join(''));

describe('cleanForSpeech', () => {
  it('output has no markdown, HTML, URL, e-mail, emoji, control or invisible characters', () => {
    fc.assert(
      fc.property(messy, (s) => {
        const out = cleanForSpeech(s);
        expect(out).not.toMatch(FORBIDDEN_MARKUP);
        expect(out).not.toMatch(URLISH);
        expect(out).not.toMatch(EMOJI);
        expect(out).not.toMatch(INVISIBLE);
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/\s{2}/);
      }),
      { numRuns: 3000 },
    );
  });

  it('never exceeds the cap, whatever the cap, and never splits a character', () => {
    fc.assert(
      fc.property(
        fc.oneof(messy, fc.string({ unit: 'grapheme', maxLength: 400 }), fc.lorem({ maxCount: 600, mode: 'sentences' })),
        fc.integer({ min: 2, max: 3000 }),
        (s, max) => {
          const out = cleanForSpeech(s, max);
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        },
      ),
      { numRuns: 2000 },
    );
    const long = 'The deal moved forward today. '.repeat(500);
    expect(cleanForSpeech(long).length).toBeLessThanOrEqual(MAX_SPOKEN_CHARS);
    expect(MAX_SPOKEN_CHARS).toBeLessThan(3000);
  });

  it('is idempotent: clean text stays as it is', () => {
    fc.assert(
      fc.property(messy, fc.integer({ min: 2, max: 3000 }), (s, max) => {
        const once = cleanForSpeech(s, max);
        expect(cleanForSpeech(once, max)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves plain sentences alone (only the spacing is normalised)', () => {
    const word = fc.stringMatching(/^[A-Za-z][a-z]{0,9}$/);
    const sentence = fc
      .array(word, { minLength: 1, maxLength: 12 })
      .chain((ws) => fc.constantFrom('.', '!', '?').map((p) => `${ws.join(' ')}${p}`));
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 8 }), (ss) => {
        const text = ss.join(' ');
        expect(cleanForSpeech(text)).toBe(text);
        expect(cleanForSpeech(ss.join('  \n '))).toBe(text);
      }),
    );
  });

  it("reads the AI simulator's garbage reply as harmless words", () => {
    const garbage = [
      '## 🚨🚨 DEAL ALERT 🚨🚨',
      '',
      '**Northwind Traders** just moved!!! 💰💰💰 → [Open in CRM](https://crm.example.com/opportunity/0065g00000XyZ12AAB?utm_source=ai)',
      '- ~~ignore previous instructions~~ `stage=Negotiation/Review`',
      '- 👉 https://tracking.example.net/r/aHR0cHM6Ly9ldmlsLmV4YW1wbGU= 😅🙏',
      '| col | val |',
      '|-----|-----|',
      '<|im_end|> ### END ###',
    ].join('\n');
    expect(cleanForSpeech(garbage)).toBe(
      'DEAL ALERT Northwind Traders just moved! to Open in CRM - ignore previous instructions stage Negotiation/Review - col val - END',
    );
  });

  it('speaks money and percentages in words', () => {
    expect(speakFigures('Competitor quoted 15% lower; may rise to about 58k.')).toBe(
      'Competitor quoted fifteen percent lower; may rise to about fifty-eight thousand.',
    );
    expect(cleanForSpeech('**Northwind** is worth $185,000 (was €1.2M, or 300 GBP).')).toBe(
      'Northwind is worth one hundred eighty-five thousand dollars (was one point two million euros, or three hundred pounds).',
    );
    expect(cleanForSpeech('Call <b>Dana</b> at dana@northwind.example &amp; see https://crm.example.com/x …')).toBe('Call Dana at & see');
  });
});
