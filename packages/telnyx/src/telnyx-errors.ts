import Telnyx from 'telnyx';

/**
 * The SDK's own error class, for code that answers as Telnyx does (the recording double in packages/calls'
 * tests): the classification below then runs on exactly what the SDK throws.
 */
export function telnyxApiError(status: number, code: string, title = 'refused'): InstanceType<typeof Telnyx.APIError> {
  return new Telnyx.APIError(status, { errors: [{ code, title }] }, `${status} ${title}`, new Headers());
}

/** Telnyx puts its own error code, as a string, at body.errors[0].code (docs/vendor-facts.md#commands). */
export function telnyxErrorCode(err: unknown): string | null {
  if (!(err instanceof Telnyx.APIError)) return null;
  const body = err.error as { errors?: Array<{ code?: unknown }> } | undefined;
  const code = body?.errors?.[0]?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : null;
}

/** 422 + 90018: the leg is already gone. For hangup/stop commands that is the outcome we wanted anyway. */
export function isCallEndedError(err: unknown): boolean {
  return err instanceof Telnyx.APIError && err.status === 422 && telnyxErrorCode(err) === '90018';
}

/**
 * Worth trying again later (after the SDK's own retries gave up): rate limits, Telnyx-side failures, and
 * requests that never got an answer. Re-sending is safe only because every command carries a command_id.
 */
export function isRetryableTelnyxError(err: unknown): boolean {
  if (err instanceof Telnyx.APIConnectionError) return true; // includes APIConnectionTimeoutError
  if (err instanceof Telnyx.APIUserAbortError) return false;
  if (!(err instanceof Telnyx.APIError) || typeof err.status !== 'number') return false;
  return err.status === 408 || err.status === 429 || err.status >= 500;
}

/** A refusal that asking again will not change: a 4xx other than timeouts, conflicts and rate limits. */
export function isPermanentTelnyxError(err: unknown): boolean {
  if (!(err instanceof Telnyx.APIError) || typeof err.status !== 'number') return false;
  return err.status >= 400 && err.status < 500 && ![408, 409, 429].includes(err.status) && !isCallEndedError(err);
}
