/** Error bodies exactly as Telnyx shapes them (fixtures/telnyx/error.*.json). */
export type TelnyxErrorBody = {
  errors: Array<{ code: string; title: string; detail: string; source?: { pointer: string } }>;
};

export const errorBodies = {
  callEnded: (): TelnyxErrorBody => ({
    errors: [{ code: '90018', title: 'Call has already ended', detail: "This call is no longer active and can't receive commands." }],
  }),
  invalidCallControlId: (pointer = '/call_control_id'): TelnyxErrorBody => ({
    errors: [
      { code: '90015', title: 'Invalid Call Control ID', detail: 'The call_control_id provided was not valid.', source: { pointer } },
    ],
  }),
  notAnswered: (): TelnyxErrorBody => ({
    errors: [
      {
        code: '90034',
        title: 'Call not answered yet',
        detail: "This call can't receive this command because it has not been answered yet.",
      },
    ],
  }),
  missingParameter: (name: string): TelnyxErrorBody => ({
    errors: [
      {
        code: '10004',
        title: 'Missing required parameter',
        detail: `The '${name}' parameter is required and cannot be blank.`,
        source: { pointer: `/${name}` },
      },
    ],
  }),
  notE164: (name: string): TelnyxErrorBody => ({
    errors: [
      {
        code: '10016',
        title: 'Phone number must be in +E164 format',
        detail: `The '${name}' parameter must be in E164 format.`,
        source: { pointer: `/${name}` },
      },
    ],
  }),
  invalidValue: (name: string, detail: string): TelnyxErrorBody => ({
    errors: [{ code: '10015', title: 'Bad Request', detail, source: { pointer: `/${name}` } }],
  }),
  rateLimited: (): TelnyxErrorBody => ({
    errors: [{ code: '10011', title: 'Too many requests', detail: 'You have exceeded the maximum number of allowed requests.' }],
  }),
  unexpected: (): TelnyxErrorBody => ({
    errors: [{ code: '10007', title: 'Unexpected error', detail: 'An unexpected error occurred.' }],
  }),
  unauthenticated: (): TelnyxErrorBody => ({
    errors: [{ code: '10009', title: 'Authentication failed', detail: 'The API key provided is not valid.' }],
  }),
  /** failCommands: a refusal in Telnyx's shape; the code is the test's choice (default 10015, Bad Request). */
  refused: (code: string, action: string): TelnyxErrorBody => ({
    errors: [
      { code, title: code === '10015' ? 'Bad Request' : 'Command rejected', detail: `The ${action} command was rejected (simulated).` },
    ],
  }),
  /**
   * strictStops: what stopping nothing answers. Telnyx's real code for it is unconfirmed (docs/vendor-facts.md);
   * 10015 "Bad Request" is the generic invalid-request code its error table lists, so the app cannot
   * special-case a guessed 90xxx code.
   */
  nothingToStop: (what: 'gather' | 'transcription'): TelnyxErrorBody => ({
    errors: [{ code: '10015', title: 'Bad Request', detail: `There is no ${what} running on this call to stop.` }],
  }),
  /**
   * answer / reject on a call we dialled, or on an incoming call already answered: Telnyx's real codes are
   * unconfirmed, so the generic 10015 (as for nothingToStop) keeps the app from special-casing a guess.
   */
  notIncoming: (what: 'answered' | 'rejected'): TelnyxErrorBody => ({
    errors: [{ code: '10015', title: 'Bad Request', detail: `Only an incoming call can be ${what}.` }],
  }),
  alreadyAnswered: (what: 'answered' | 'rejected'): TelnyxErrorBody => ({
    errors: [{ code: '10015', title: 'Bad Request', detail: `This call was already answered and can no longer be ${what}.` }],
  }),
  /**
   * Messaging: the recipient sent STOP to this messaging profile (docs/vendor-facts.md, Telnyx Messaging). Code, title and detail as
   * Telnyx's opt-out guide shows them, numbers included; the HTTP status (403 here) is unconfirmed.
   */
  optedOut: (from: string, to: string): TelnyxErrorBody => ({
    errors: [
      {
        code: '40300',
        title: 'Blocked due to STOP message',
        detail: `Messages cannot be sent from '${from}' to '${to}' due to an existing block rule.`,
      },
    ],
  }),
  notFound: (detail: string): TelnyxErrorBody => ({
    errors: [{ code: '10005', title: 'Resource not found', detail }],
  }),
};
