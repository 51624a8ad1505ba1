/** Carries the HTTP status (and Merge-like body) so plain control calls and HTTP calls fail alike. */
export class CrmSimError extends Error {
  override name = 'CrmSimError';
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, message: string, body?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.body = body ?? { detail: message };
  }
}
