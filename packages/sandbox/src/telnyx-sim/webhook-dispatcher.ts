import type { KeyObject } from 'node:crypto';
import { signTelnyxWebhook } from '@dda/telnyx';
import type { EventData } from './event-payloads.ts';
import type { Faults, SentWebhook, TelnyxModes } from './sim-types.ts';

type Item = { data: EventData; url: string; record: SentWebhook; copies: number; dueAt: number };
type SessionQueue = { items: Item[]; running: boolean };

// Real (unscaled) delivery mechanics: a receiver that is briefly down (a restart) should still get the event.
const DEFAULT_RETRY_DELAYS_MS = [200, 600, 1800];
const DELIVERY_TIMEOUT_MS = 10_000;
// How long a reordering queue waits for the rest of a burst (e.g. both call.bridged) before shuffling it.
const BURST_WINDOW_MS = 40;

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;

/**
 * Signs and POSTs events. Without faults, events of one call session are delivered strictly one after the
 * other, so nothing arrives before the event it logically follows; reorderWebhooks lifts exactly that.
 */
export function createWebhookDispatcher(opts: {
  privateKey: KeyObject | string;
  retryDelaysMs?: number[];
  faults: () => Faults;
  modes: () => TelnyxModes;
  /** dropWebhooks: true when this event is to be lost for good. */
  drop: (eventType: string, to: string) => boolean;
  sent: SentWebhook[];
  print: (line: string) => void;
  onSettled: () => void;
}) {
  const retryDelays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const queues = new Map<string, SessionQueue>();
  const closing = new AbortController();
  let pending = 0;

  function sleep(ms: number): Promise<void> {
    if (ms <= 0 || closing.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        closing.signal.removeEventListener('abort', done);
        resolve();
      }
      closing.signal.addEventListener('abort', done, { once: true });
    });
  }

  async function post(item: Item, attempt: number): Promise<boolean> {
    const body = JSON.stringify({ data: item.data, meta: { attempt, delivered_to: item.url } });
    item.record.attempts += 1;
    const sentAt = Date.now();
    try {
      const res = await fetch(item.url, {
        method: 'POST',
        headers: { 'content-type': opts.modes().webhookContentType ?? 'application/json', ...signTelnyxWebhook(body, opts.privateKey) },
        body,
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok && item.record.deliveredAt === undefined) {
        item.record.sentAt = sentAt;
        item.record.deliveredAt = Date.now();
      }
      return res.ok;
    } catch {
      return false;
    }
  }

  /** One copy of an event, retried with backoff; meta.attempt counts copies and retries alike. */
  async function deliverCopy(item: Item, copyIndex: number): Promise<void> {
    await sleep(item.dueAt - Date.now());
    for (let attempt = 0; attempt <= retryDelays.length && !closing.signal.aborted; attempt++) {
      if (await post(item, copyIndex + attempt + 1)) {
        item.record.delivered = true;
        return;
      }
      if (attempt < retryDelays.length) await sleep(retryDelays[attempt]!);
    }
    if (!closing.signal.aborted) opts.print(`⚠  webhook ${item.data.event_type} was not accepted after retries`);
  }

  function settle(n: number) {
    pending -= n;
    opts.onSettled();
  }

  async function drain(queue: SessionQueue): Promise<void> {
    queue.running = true;
    while (queue.items.length > 0 && !closing.signal.aborted) {
      if (opts.faults().reorderWebhooks) {
        await sleep(BURST_WINDOW_MS);
        const batch = queue.items.splice(0);
        const sends = shuffle(batch.flatMap((item) => Array.from({ length: item.copies }, (_, k) => ({ item, k }))));
        await Promise.all(sends.map(({ item, k }) => deliverCopy(item, k)));
        settle(batch.length);
      } else {
        const item = queue.items.shift()!;
        for (let k = 0; k < item.copies; k++) await deliverCopy(item, k);
        settle(1);
      }
    }
    queue.running = false;
    if (closing.signal.aborted && queue.items.length) settle(queue.items.splice(0).length);
  }

  return {
    /** sessionKey groups the events whose relative order matters (all legs of one call session). */
    /** messageId: for a message.* event, whose callControlId is ''. */
    send(sessionKey: string, url: string, data: EventData, callControlId: string, to: string, messageId?: string): void {
      if (closing.signal.aborted) return;
      const record: SentWebhook = {
        event_type: data.event_type,
        id: data.id,
        callControlId,
        ...(messageId ? { messageId } : {}),
        occurredAt: data.occurred_at,
        attempts: 0,
        delivered: false,
      };
      opts.sent.push(record);
      if (opts.drop(data.event_type, to)) {
        record.dropped = true;
        opts.print(`⚠  webhook ${data.event_type} dropped (dropWebhooks)`);
        return;
      }
      const faults = opts.faults();
      let queue = queues.get(sessionKey);
      if (!queue) queues.set(sessionKey, (queue = { items: [], running: false }));
      queue.items.push({
        data,
        url,
        record,
        copies: Math.max(1, Math.floor(faults.duplicateWebhooks ?? 1)),
        dueAt: Date.now() + (faults.webhookDelayMs ?? 0),
      });
      pending += 1;
      if (!queue.running) void drain(queue);
    },
    pending: () => pending,
    close(): void {
      closing.abort();
    },
  };
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
