/**
 * Every character a terminal would act on rather than show (newlines, carriage returns, escape sequences,
 * other C0/C1 controls, Unicode line separators) is printed as an escape: a value from outside (a deal id
 * with a newline, a name with an ANSI sequence) can then neither forge a log line nor repaint the terminal.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Service logs are JSON for machines; in the terminal a newcomer reads one short line per event. */
export function formatLogLine(service: string, line: string): string | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `  ${service.padEnd(16)} ${escapeControls(line)}`;
  }
  if (o['msg'] === 'request' && o['url'] === '/health') return null;
  const time = typeof o['time'] === 'string' ? o['time'].slice(11, 19) : '';
  const skip = new Set(['level', 'time', 'service', 'msg', 'pid', 'hostname']);
  const extras = Object.entries(o)
    .filter(([k, v]) => !skip.has(k) && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${escapeControls(k)}=${escapeControls(String(v))}`)
    .join(' ');
  const level = o['level'] === 'info' ? '' : ` ${escapeControls(String(o['level'])).toUpperCase()}`;
  return `  ${escapeControls(time)} ${service.padEnd(16)}${level} ${escapeControls(String(o['msg'] ?? ''))} ${extras}`.trimEnd();
}
