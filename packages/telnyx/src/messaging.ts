import Telnyx from 'telnyx';
import { isPermanentTelnyxError } from './telnyx-errors.ts';

export type MessagingOptions = {
  apiKey: string;
  baseURL: string;
  /** One attempt's limit; default 10 s. Past it the text may or may not have gone out (see isDefinitelyNotSent). */
  timeoutMs?: number;
};

export type SendTextInput = {
  from: string;
  to: string;
  text: string;
  messagingProfileId: string;
  /** Where Telnyx sends message.sent / message.finalized for this text. */
  webhookUrl: string;
};

/** `status` is the recipient's (data.to[0].status: queued, sending, ...): Telnyx's answer has no top-level status. */
export type SentText = { id: string; status: string; parts: number | null };

export type Messaging = ReturnType<typeof createMessaging>;

/**
 * Sends SMS through the official SDK with its retries off. POST /v2/messages takes no idempotency key we can
 * rely on, so an SDK resend after a 5xx or a timeout can send the same text twice; the caller owns the retry
 * and decides with isDefinitelyNotSent whether asking again is safe.
 */
export function createMessaging(opts: MessagingOptions) {
  const client = new Telnyx({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeout: opts.timeoutMs ?? 10_000, maxRetries: 0 });

  return {
    /**
     * Throws the SDK's error when Telnyx refuses or does not answer. A 2xx without a message id or recipient
     * status throws a plain Error: Telnyx took the request, so it is not "definitely not sent".
     */
    async send(input: SendTextInput): Promise<SentText> {
      const { data } = await client.messages.send({
        from: input.from,
        to: input.to,
        text: input.text,
        messaging_profile_id: input.messagingProfileId,
        webhook_url: input.webhookUrl,
        type: 'SMS',
      });
      const id = data?.id;
      const status = data?.to?.[0]?.status;
      if (typeof id !== 'string' || id === '' || typeof status !== 'string') {
        throw new Error('Telnyx accepted the message but its answer has no id or recipient status');
      }
      return { id, status, parts: typeof data?.parts === 'number' ? data.parts : null };
    },
  };
}

/**
 * True only when Telnyx answered with a refusal, so nothing was sent and nothing will be: a 4xx such as 40300
 * (recipient opted out), 40310 (invalid number) or a 422 validation error. False for timeouts, connection
 * errors, 5xx, 408, 409 and 429, and for anything that is not a Telnyx answer: the text may have gone out.
 * A 429 is a refusal too, but it is one to retry later, not to give up on; isRetryableTelnyxError says so.
 */
export function isDefinitelyNotSent(err: unknown): boolean {
  return isPermanentTelnyxError(err);
}
