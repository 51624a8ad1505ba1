/** Service logs are JSON for machines; in the terminal a newcomer reads one short line per event. */
export function formatLogLine(service: string, line: string): string | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `  ${service.padEnd(16)} ${line}`;
  }
  if (o['msg'] === 'request' && o['url'] === '/health') return null;
  const time = typeof o['time'] === 'string' ? o['time'].slice(11, 19) : '';
  const skip = new Set(['level', 'time', 'service', 'msg', 'pid', 'hostname']);
  const extras = Object.entries(o)
    .filter(([k, v]) => !skip.has(k) && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  const level = o['level'] === 'info' ? '' : ` ${String(o['level']).toUpperCase()}`;
  return `  ${time} ${service.padEnd(16)}${level} ${String(o['msg'] ?? '')} ${extras}`.trimEnd();
}
