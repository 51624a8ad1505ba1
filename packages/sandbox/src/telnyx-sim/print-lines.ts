/** The last two digits tell calls apart in a transcript without leaking whose phone it is. */
export function maskNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  return `…${digits.slice(-2) || '??'}`;
}

const PHONE_IN_TEXT = /\+?\d[\d\s().-]{6,}\d/g;

/** Spoken text can itself contain numbers (a briefing, a callback number): mask those too. */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (m) => {
    const digits = m.replace(/\D/g, '');
    return digits.length >= 8 ? maskNumber(digits) : m;
  });
}

export function labelFor(number: string, names: Record<string, string> | undefined): string {
  return names?.[number] ?? maskNumber(number);
}

/** SSML prompts are printed (and timed) as the words that would be heard. */
export function spokenText(payload: string): string {
  return payload
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function quote(text: string, max = 160): string {
  const t = maskPhonesInText(spokenText(text));
  return `"${t.length > max ? `${t.slice(0, max - 1)}…` : t}"`;
}
