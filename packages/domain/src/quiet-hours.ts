/** Minutes since local midnight in a time zone, from Intl (no tz database of our own). */
function localMinutes(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * How long until quiet hours end, in ms; 0 outside them. The window is in the VP's own time zone and may
 * wrap midnight ("21:00-07:00"). An empty window means never quiet.
 */
export function quietHoursRemainingMs(now: Date, timeZone: string, window: string): number {
  if (!window) return 0;
  const [startS, endS] = window.split('-');
  if (!startS || !endS) return 0;
  const start = toMinutes(startS);
  const end = toMinutes(endS);
  if (start === end) return 0;
  const cur = localMinutes(now, timeZone);
  const inside = start < end ? cur >= start && cur < end : cur >= start || cur < end;
  if (!inside) return 0;
  const minutesLeft = (end - cur + 24 * 60) % (24 * 60);
  // Whole minutes from Intl; subtract the seconds already gone in this minute so the call lands on the hour.
  return Math.max(1000, minutesLeft * 60_000 - (now.getUTCSeconds() * 1000 + now.getUTCMilliseconds()));
}
