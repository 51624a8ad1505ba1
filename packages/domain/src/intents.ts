export type Intent = 'connect' | 'repeat' | 'snooze' | 'dismiss' | 'next';

/** Key 1 means connect: that mapping is a contract the VP learns once and relies on. */
export const KEY_INTENTS: Record<string, Intent> = { '1': 'connect', '2': 'repeat', '3': 'snooze', '4': 'next', '9': 'dismiss' };

const PHRASES: [Intent, RegExp][] = [
  ['snooze', /\b(remind me (later|in)|call (me )?(back|later)|snooze|not now|later please)\b/],
  [
    'connect',
    /\b(connect( me)?|transfer( me)?|put me through|patch me( through)?|get me (to )?(the )?(rep|ae|account executive)|let me talk to)\b/,
  ],
  ['repeat', /\b(repeat|say (that|it) again|come again|what was that|one more time|again please)\b/],
  ['next', /\b(next( one| alert| deal)?|skip( it| this one)?)\b/],
  [
    'dismiss',
    /\b(got it|dismiss|thanks?( you)?,? (that'?s|that is) (all|it)|that'?s all|no thanks|acknowledged?|okay,? bye|goodbye|bye)\b/,
  ],
];

/** What the VP meant, from a transcript; null when it is none of the menu choices. */
export function intentFromSpeech(transcript: string): Intent | null {
  const t = transcript
    .toLowerCase()
    .replace(/[^a-z0-9' ,]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t) return null;
  for (const [intent, re] of PHRASES) if (re.test(t)) return intent;
  return null;
}

export function intentFromDigits(digits: string): Intent | null {
  const first = digits.trim()[0];
  return first ? (KEY_INTENTS[first] ?? null) : null;
}

/** The AE's answer to the whisper: accept (1 / yes) or decline (2 / no). */
export function aeAnswerFrom(input: { digits?: string; transcript?: string }): 'accept' | 'decline' | null {
  if (input.digits !== undefined) {
    const d = input.digits.trim()[0];
    if (d === '1') return 'accept';
    if (d === '2') return 'decline';
    return null;
  }
  const t = (input.transcript ?? '').toLowerCase();
  if (/\b(yes|yeah|yep|sure|accept|put (them|him|her) through|connect)\b/.test(t)) return 'accept';
  if (/\b(no|nope|decline|can'?t|cannot|not now|busy)\b/.test(t)) return 'decline';
  return null;
}

const QUESTION_START =
  /^(what|what's|whats|who|who's|whos|when|where|why|how|which|is|are|was|were|do|does|did|can|could|will|would|has|have|tell me)\b/;

/** A question about the deal ("what's the close date", "who's the champion?") rather than a menu choice. */
export function looksLikeQuestion(transcript: string): boolean {
  const t = transcript.toLowerCase().trim();
  if (t.split(/\s+/).length < 2) return false;
  return t.endsWith('?') || QUESTION_START.test(t);
}
