import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quietHoursRemainingMs } from '../src/quiet-hours.ts';

describe("quiet hours in the VP's time zone", () => {
  it('defers a call at 23:30 New York time to 07:00 the next morning', () => {
    const at = new Date('2026-11-26T04:30:00Z'); // 23:30 in New York (UTC-5)
    expect(quietHoursRemainingMs(at, 'America/New_York', '21:00-07:00')).toBe(7.5 * 3600_000);
  });
  it('lets a call through at 09:00 local, and when no window is set', () => {
    expect(quietHoursRemainingMs(new Date('2026-11-26T14:00:00Z'), 'America/New_York', '21:00-07:00')).toBe(0);
    expect(quietHoursRemainingMs(new Date('2026-11-26T04:30:00Z'), 'America/New_York', '')).toBe(0);
  });
  it('never defers by more than a day, and is zero exactly when outside the window', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 23 }),
        (now, a, b) => {
          fc.pre(a !== b);
          const w = `${String(a).padStart(2, '0')}:00-${String(b).padStart(2, '0')}:00`;
          const ms = quietHoursRemainingMs(now, 'UTC', w);
          const h = now.getUTCHours();
          const inside = a < b ? h >= a && h < b : h >= a || h < b;
          return ms >= 0 && ms <= 24 * 3600_000 && ms > 0 === inside;
        },
      ),
    );
  });
});
