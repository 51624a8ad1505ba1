export type ServerSentEvent = { event: string; data: string };

/** Reads server-sent events (`event:` and `data:` lines) off a fetch body until `want` says enough. */
export async function readServerSentEvents(res: Response, want: (events: ServerSentEvent[]) => boolean, timeoutMs = 5000) {
  const reader = res.body!.getReader();
  const events: ServerSentEvent[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  while (!want(events)) {
    if (Date.now() > deadline) throw new Error(`events so far: ${JSON.stringify(events)}`);
    const { value, done } = await reader.read();
    if (done) break;
    buf += Buffer.from(value).toString('utf8');
    let i;
    while ((i = buf.indexOf('\n\n')) !== -1) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data });
    }
  }
  return { events, reader };
}
