import { randomUUID } from 'node:crypto';
import { telnyxTime, type EventData } from './event-payloads.ts';
import { labelFor, maskNumber, quote } from './print-lines.ts';
import { errorBodies, type TelnyxErrorBody } from './telnyx-errors.ts';
import type { SimMessage, TelnyxMessageMode, TelnyxModes } from './sim-types.ts';

type Body = Record<string, any>;

// Simulated durations in ms, multiplied by timeScale: handed to the carrier, then the carrier's receipt.
const SENT_AFTER_MS = 400;
const FINALIZED_AFTER_MS = 1500;
const E164 = /^\+[1-9]\d{6,14}$/;
const CARRIER = 'Simulated Wireless';
const LINE_TYPE = 'Wireless';

// GSM 03.38: the default alphabet (one septet each) and its extension table (escape + septet: two each).
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

/** Encoding and segment count as docs/vendor-facts.md (Telnyx Messaging) states them: GSM-7 160 / 153 per part, UCS-2 70 / 67. */
export function segmentsOf(text: string): { encoding: 'GSM-7' | 'UCS-2'; parts: number } {
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else {
      const units = text.length; // UTF-16 code units: an emoji takes two
      return { encoding: 'UCS-2', parts: units <= 70 ? 1 : Math.ceil(units / 67) };
    }
  }
  return { encoding: 'GSM-7', parts: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

export type SendOutcome =
  | { kind: 'answer'; status: 200 | 500; body: unknown }
  | { kind: 'refuse'; status: number; body: TelnyxErrorBody }
  /** timeout_after_accept: sent, and the request is to be left without an answer. */
  | { kind: 'hang' };

type Stored = { record: SimMessage; payload: Record<string, any> };

/**
 * POST /v2/messages and what follows it: the answer the mode calls for, then message.sent and
 * message.finalized to the message's webhook_url, signed and delivered by the same dispatcher as call events.
 */
export function createMessageCenter(opts: {
  timeScale: number;
  names: Record<string, string> | undefined;
  print: (line: string) => void;
  modes: () => TelnyxModes;
  emit: (message: SimMessage, data: EventData) => void;
  onChange: () => void;
}) {
  const stored: Stored[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const organizationId = randomUUID();
  const scaled = (ms: number) => Math.max(0, ms * opts.timeScale);

  function later(ms: number, fn: () => void) {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
      opts.onChange();
    }, scaled(ms));
    timers.add(t);
  }

  function validate(body: Body): TelnyxErrorBody | null {
    for (const name of ['from', 'to']) {
      if (typeof body[name] !== 'string' || body[name] === '') return errorBodies.missingParameter(name);
      if (!E164.test(body[name])) return errorBodies.notE164(name);
    }
    if (typeof body['text'] !== 'string' || body['text'].trim() === '') return errorBodies.missingParameter('text');
    const profile = body['messaging_profile_id'];
    if (typeof profile !== 'string' || profile === '') return errorBodies.missingParameter('messaging_profile_id');
    if (body['type'] !== undefined && body['type'] !== 'SMS') {
      return errorBodies.invalidValue('type', 'The simulator sends SMS only: type must be SMS.');
    }
    const url = body['webhook_url'];
    if (url !== undefined && url !== null && (typeof url !== 'string' || !/^https?:\/\//.test(url))) {
      return errorBodies.invalidValue('webhook_url', 'webhook_url must be an http(s) URL.');
    }
    return null;
  }

  /** The message as Telnyx shapes it (OutboundMessagePayload): the send answer and every webhook's payload. */
  function payloadOf(id: string, body: Body, seg: ReturnType<typeof segmentsOf>, receivedAt: Date): Record<string, any> {
    return {
      record_type: 'message',
      id,
      direction: 'outbound',
      type: 'SMS',
      messaging_profile_id: body['messaging_profile_id'],
      organization_id: organizationId,
      from: { phone_number: body['from'], carrier: CARRIER, line_type: LINE_TYPE },
      to: [{ phone_number: body['to'], status: 'queued', carrier: CARRIER, line_type: LINE_TYPE }],
      cc: [],
      text: body['text'],
      subject: null,
      media: [],
      encoding: seg.encoding,
      parts: seg.parts,
      tags: [],
      cost: null,
      received_at: telnyxTime(receivedAt),
      sent_at: null,
      completed_at: null,
      valid_until: telnyxTime(new Date(receivedAt.getTime() + 4 * 3_600_000)),
      webhook_url: typeof body['webhook_url'] === 'string' ? body['webhook_url'] : null,
      webhook_failover_url: null,
      errors: [],
    };
  }

  function event(eventType: string, payload: Record<string, any>): EventData {
    return {
      event_type: eventType,
      id: randomUUID(),
      occurred_at: telnyxTime(new Date()),
      payload: structuredClone(payload),
      record_type: 'event',
    };
  }

  /** The carrier's part: sent, then delivered or failed, each as a webhook when the message named a URL. */
  function deliver(s: Stored, mode: TelnyxMessageMode) {
    const { record, payload } = s;
    const label = labelFor(record.to, opts.names);
    later(SENT_AFTER_MS, () => {
      record.status = 'sent';
      payload['to'][0].status = 'sent';
      payload['sent_at'] = telnyxTime(new Date());
      if (record.webhookUrl) opts.emit(record, event('message.sent', payload));
      later(FINALIZED_AFTER_MS - SENT_AFTER_MS, () => {
        const failed = mode === 'delivery_failed';
        record.status = failed ? 'delivery_failed' : 'delivered';
        payload['to'][0].status = record.status;
        payload['completed_at'] = telnyxTime(new Date());
        if (failed) {
          payload['errors'] = [
            { code: '40002', title: 'Blocked as spam - temporary', detail: 'The carrier did not deliver the message (simulated).' },
          ];
        }
        opts.print(failed ? `💬 text to ${label} was not delivered (40002)` : `💬 text to ${label} delivered`);
        if (record.webhookUrl) opts.emit(record, event('message.finalized', payload));
      });
    });
  }

  return {
    send(body: Body): SendOutcome {
      const invalid = validate(body);
      if (invalid) return { kind: 'refuse', status: 422, body: invalid };
      const mode = opts.modes().messages ?? 'delivered';
      const label = labelFor(body['to'], opts.names);
      if (mode === 'opted_out') {
        opts.print(`🚫 text to ${label} refused: recipient opted out (40300)`);
        // Telnyx's real detail names both numbers, so an SDK error message carries them (docs/vendor-facts.md, Telnyx Messaging).
        return { kind: 'refuse', status: 403, body: errorBodies.optedOut(body['from'], body['to']) };
      }
      const receivedAt = new Date();
      const id = randomUUID();
      const seg = segmentsOf(body['text']);
      const payload = payloadOf(id, body, seg, receivedAt);
      const answered = mode === 'server_error_after_accept' ? 500 : mode === 'timeout_after_accept' ? 'none' : 200;
      const record: SimMessage = {
        id,
        from: body['from'],
        to: body['to'],
        text: body['text'],
        messagingProfileId: body['messaging_profile_id'],
        webhookUrl: payload['webhook_url'],
        encoding: seg.encoding,
        parts: seg.parts,
        status: 'queued',
        mode,
        answered,
        at: receivedAt.getTime(),
      };
      const s = { record, payload };
      stored.push(s);
      opts.print(`💬 text to ${label} (${maskNumber(record.to)}, ${seg.parts} part${seg.parts === 1 ? '' : 's'}): ${quote(record.text)}`);
      const answer = structuredClone(payload);
      deliver(s, mode);
      if (answered === 500) {
        opts.print(`⚠  text to ${label} sent, but answered 500 (server_error_after_accept)`);
        return { kind: 'answer', status: 500, body: errorBodies.unexpected() };
      }
      if (answered === 'none') {
        opts.print(`⚠  text to ${label} sent, but no answer comes back (timeout_after_accept)`);
        return { kind: 'hang' };
      }
      return { kind: 'answer', status: 200, body: { data: answer } };
    },
    list: (): SimMessage[] => stored.map((s) => ({ ...s.record })),
    /** Deliveries still to happen (a test's whenIdle waits for them). */
    pending: () => timers.size,
    close(): void {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export type MessageCenter = ReturnType<typeof createMessageCenter>;
