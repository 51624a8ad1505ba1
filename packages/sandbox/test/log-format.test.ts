import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../src/launcher/log-format.ts';

describe('the sandbox console printer', () => {
  it('prints a value with a newline as one line: a deal id cannot forge a second log line', () => {
    const line = JSON.stringify({
      level: 'info',
      time: '2026-12-02T04:00:00.000Z',
      msg: 'alert created',
      deal_id: 'd1\n  04:00:01 ingress          API_TOKEN=leaked',
    });
    const out = formatLogLine('briefing-worker', line)!;
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toContain('deal_id=d1\\n  04:00:01 ingress');
  });

  it('escapes terminal escape sequences, carriage returns and other controls in the message, keys and raw lines', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-12-02T04:00:00.000Z',
      msg: 'red\u001b[31m text\rover',
      ['k\u0007']: 'v\u0085\u2028',
    });
    const out = formatLogLine('ingress', line)!;
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(out).toContain('red\\u001b[31m text\\rover');
    expect(out).toContain('k\\u0007=v\\u0085\\u2028');
    const raw = formatLogLine('ingress', 'not json\u001b]0;owned\u0007')!;
    expect(raw).not.toMatch(/[\u0000-\u001f]/);
  });

  it('leaves ordinary text, accents included, as it is', () => {
    const line = JSON.stringify({ level: 'info', time: '2026-12-02T04:00:00.000Z', msg: 'call answered', who: 'Zoë Ångström' });
    expect(formatLogLine('call-worker', line)).toBe('  04:00:00 call-worker      call answered who=Zoë Ångström');
  });
});
