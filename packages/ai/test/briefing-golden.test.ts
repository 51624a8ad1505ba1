import { describe, expect, it } from 'vitest';
import { headline, promptText, spokenReason, templateBriefing, type Prompt } from '@dda/domain';
import { BRIEFING_SYSTEM_PROMPT, briefingMessages, briefingUserMessage, buildBriefingContext } from '../src/index.ts';
import { GOLDEN, NOW } from './golden-deals.ts';

const NOTES = [
  { content: 'Sent revised proposal with 3-year pricing; CFO review booked for next week.', remote_created_at: '2026-11-19T13:00:00Z' },
  {
    content: '<p>Moved to <b>Negotiation/Review</b> after verbal from CFO. Risk: competitor quoted 15% lower.</p>',
    remote_created_at: '2026-11-25T13:00:00Z',
  },
  { content: '   ', remote_created_at: '2026-11-25T14:00:00Z' },
];

const template = (k: keyof typeof GOLDEN) => templateBriefing(buildBriefingContext(GOLDEN[k], [], NOW).facts);

describe('golden: the template briefing, word for word', () => {
  it('large USD deal (Merge gives no currency), stage move, close date in days', () => {
    expect(template('northwind')).toBe(
      'Deal alert. Northwind Traders: Platform Expansion FY26, worth one hundred eighty-five thousand dollars, moved from Proposal Price Quote to Negotiation Review. The owner is Dana Whitfield. It is set to close December nineteenth, in twenty-four days. This alert fired because it moved from Proposal Price Quote to Negotiation Review.',
    );
  });

  it('millions in EUR, two reasons, closing tomorrow', () => {
    expect(template('contosoEur')).toBe(
      'Deal alert. Contoso Pharmaceuticals: Analytics Add-on, worth two point seven five million euros, moved from Qualification to Contract Sent. The owner is Marcus Osei. It is set to close November twenty-sixth, tomorrow. This alert fired because it moved from Qualification to Contract Sent, and its amount, two point seven five million euros, crossed your threshold of fifty thousand euros.',
    );
  });

  it('small GBP deal first seen in an alert stage, no close date', () => {
    expect(template('tailspinGbp')).toBe(
      'Deal alert. Tailspin Toys: Retail POS Pilot, worth nine thousand five hundred pounds, is now in Verbal Commit. The owner is Priya Raman. There is no close date on it yet. This alert fired because it was already in Verbal Commit when we first saw it.',
    );
  });

  it('amount crossing the threshold without a stage move', () => {
    expect(template('fabrikamThreshold')).toBe(
      'Deal alert. Fabrikam Logistics: Fleet Telematics Renewal, worth ninety-six thousand dollars, is still in Qualification. The owner is Priya Raman. It is set to close March thirty-first, in one hundred twenty-six days. This alert fired because its amount, ninety-six thousand dollars, crossed your threshold of fifty thousand dollars.',
    );
  });

  it('manual alert: owner known only by e-mail, no close date, no Merge deal', () => {
    expect(template('manual')).toBe(
      'Deal alert. Northwind Traders: Platform Expansion FY26, worth one point two million dollars, is now in Negotiation Review. The owner is Dana Whitfield. There is no close date on it yet. This alert fired because it was raised by hand.',
    );
  });

  it('every briefing names the account, the amount in words, the stage change and the owner, with no raw figures', () => {
    const expected: Record<keyof typeof GOLDEN, string[]> = {
      northwind: [
        'Northwind Traders',
        'one hundred eighty-five thousand dollars',
        'from Proposal Price Quote to Negotiation Review',
        'Dana Whitfield',
      ],
      contosoEur: ['Contoso Pharmaceuticals', 'two point seven five million euros', 'from Qualification to Contract Sent', 'Marcus Osei'],
      tailspinGbp: ['Tailspin Toys', 'nine thousand five hundred pounds', 'now in Verbal Commit', 'Priya Raman'],
      fabrikamThreshold: ['Fabrikam Logistics', 'ninety-six thousand dollars', 'still in Qualification', 'Priya Raman'],
      manual: ['Northwind Traders', 'one point two million dollars', 'now in Negotiation Review', 'Dana Whitfield'],
    };
    for (const k of Object.keys(GOLDEN) as Array<keyof typeof GOLDEN>) {
      const text = template(k);
      for (const part of expected[k]) expect(text, k).toContain(part);
      expect(text.replace(/FY26/g, ''), k).not.toMatch(/\d/);
      expect(headline(buildBriefingContext(GOLDEN[k], [], NOW).facts), k).toBe(
        text.slice(0, text.indexOf(' It is set') > 0 ? text.indexOf(' It is set') : text.indexOf(' There is no')),
      );
    }
  });

  it("the reason sentence is speakable: triage's digits and slashes become words", () => {
    expect(spokenReason('amount 1250000 crossed the threshold 50000', { currency: 'GBP' })).toBe(
      'its amount, one point two five million pounds, crossed your threshold of fifty thousand pounds',
    );
    expect(spokenReason('moved from no stage to alert stage contract_sent')).toBe('it moved into contract sent');
    expect(spokenReason('something new 42 happened')).toBe('something new forty-two happened');
    expect(spokenReason('')).toBe('it changed in the CRM');
  });
});

describe('golden: every phone text comes from call-script', () => {
  const facts = {
    ...buildBriefingContext(GOLDEN.northwind, [], NOW).facts,
    aeName: 'Dana Whitfield',
    vpName: 'Morgan Lee',
    waiting: 2,
    snoozeMinutes: 60,
  };
  const said = (p: Prompt) => promptText(p, facts);

  it('headline, whisper, voicemail, goodbyes', () => {
    expect(said('headline')).toBe(
      'Deal alert. Northwind Traders: Platform Expansion FY26, worth one hundred eighty-five thousand dollars, moved from Proposal Price Quote to Negotiation Review. The owner is Dana Whitfield. Two more alerts are waiting after this one.',
    );
    expect(said('whisper')).toBe(
      'Hi Dana, this is Deal Desk. Morgan Lee is waiting on the line about Northwind Traders, Platform Expansion FY26, one hundred eighty-five thousand dollars. It just moved from Proposal Price Quote to Negotiation Review. Press 1 or say yes to take the call, or press 2 to decline.',
    );
    expect(said('voicemail')).toBe(
      "Hello, this is Deal Desk with an alert for Morgan Lee. Northwind Traders, Platform Expansion FY26 is now in Negotiation Review. We'll try you again shortly. Goodbye.",
    );
    expect(said('connecting')).toBe('Connecting you to Dana Whitfield, the account executive on Platform Expansion FY26. Please hold.');
    expect(said('goodbye_snooze')).toBe("Okay, I'll call you back in sixty minutes. Goodbye.");
    expect(promptText('ae_declined', { ...facts, aeName: null })).toBe(
      "The account executive can't take the call right now. I've noted it on the alert. Goodbye.",
    );
  });

  it('a digest call (several alerts waited for the line) counts them in words and offers "next"', () => {
    const digest = (position: number) => ({ ...facts, waiting: 0, digest: { size: 3, position } });
    expect(promptText('headline', digest(0))).toBe(
      'You have three new deal alerts. The largest first. Deal alert. Northwind Traders: Platform Expansion FY26, worth one hundred eighty-five thousand dollars, moved from Proposal Price Quote to Negotiation Review. The owner is Dana Whitfield. Say "next" or press 4 at any time to hear the next one.',
    );
    expect(promptText('briefing', digest(1))).toMatch(
      /^Alert two of three\. Deal alert\. Northwind Traders: .* Say "next" or press 4 for the next alert\.$/,
    );
    expect(promptText('briefing', digest(2))).toMatch(/That was the last one\.$/);
    expect(promptText('connecting', digest(1))).toBe(said('connecting'));
  });

  it('the briefing prompt speaks the AI text when there is one, the template details otherwise', () => {
    expect(said('briefing')).toMatch(
      /^It is set to close December nineteenth, in twenty-four days\. This alert fired because it moved from Proposal Price Quote to Negotiation Review\. Say "connect me" or press 1/,
    );
    expect(promptText('briefing', { ...facts, aiBriefing: 'Northwind Traders is close. Call Dana.' })).toMatch(
      /^Northwind Traders is close\. Call Dana\. Say "connect me"/,
    );
    expect(said('briefing_again')).toMatch(/^Here it is again\. Deal alert\. Northwind Traders/);
  });
});

describe('golden: the prompt the model gets', () => {
  it('Label: value lines in spoken form, notes newest first and cleaned', () => {
    expect(briefingUserMessage(buildBriefingContext(GOLDEN.northwind, NOTES, NOW))).toBe(
      [
        'A deal alert needs a spoken briefing.',
        'Deal: Platform Expansion FY26',
        'Account: Northwind Traders',
        'Amount: one hundred eighty-five thousand dollars',
        'Stage: Proposal Price Quote -> Negotiation Review',
        'Owner: Dana Whitfield',
        'Close date: December nineteenth, in twenty-four days',
        'Reason: it moved from Proposal Price Quote to Negotiation Review',
        'Notes:',
        '- Moved to Negotiation/Review after verbal from CFO. Risk: competitor quoted fifteen percent lower.',
        '- Sent revised proposal with 3-year pricing; CFO review booked for next week.',
        '',
        'Write the briefing now.',
      ].join('\n'),
    );
  });

  it('missing facts say "none" (the manual alert has no notes, no close date)', () => {
    expect(briefingUserMessage(buildBriefingContext(GOLDEN.manual, [], NOW))).toBe(
      [
        'A deal alert needs a spoken briefing.',
        'Deal: Platform Expansion FY26',
        'Account: Northwind Traders',
        'Amount: one point two million dollars',
        'Stage: Negotiation Review',
        'Owner: Dana Whitfield',
        'Close date: none',
        'Reason: it was raised by hand',
        'Notes: none',
        '',
        'Write the briefing now.',
      ].join('\n'),
    );
  });

  it('the system prompt asks for ~80 spoken words: what happened, why it matters, next step; no markdown or lists', () => {
    const [system, user] = briefingMessages(buildBriefingContext(GOLDEN.contosoEur, [], NOW));
    expect(system).toEqual({ role: 'system', content: BRIEFING_SYSTEM_PROMPT });
    expect(user!.role).toBe('user');
    expect(BRIEFING_SYSTEM_PROMPT).toMatch(/at most 80 words/);
    expect(BRIEFING_SYSTEM_PROMPT).toMatch(/what happened, why it matters, and the next step/);
    expect(BRIEFING_SYSTEM_PROMPT).toMatch(/no markdown, no lists/);
  });
});
