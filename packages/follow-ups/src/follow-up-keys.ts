/** Every Redis key of the follow-ups, in one place. */
export function followUpKeys(prefix: string) {
  return {
    /** Hash: the note of one alert outcome: state (claimed | written | failed | skipped), posts, note_id. */
    note: (alertId: string, outcome: string) => `${prefix}:follow-up:${alertId}:${outcome}:note`,
    /** String: the text to one recipient of one alert: claimed | sent:<message id> | failed. */
    sms: (alertId: string, recipient: string) => `${prefix}:follow-up:${alertId}:sms:${recipient}`,
    /** Hash: a sent text's message id → the alert and recipient its delivery events belong to. */
    message: (messageId: string) => `${prefix}:sms-message:${messageId}`,
    /** Hash: one linked account's answer to GET /crm/v1/notes/meta/post. */
    noteMeta: (account: string) => `${prefix}:merge-note-meta:${account}`,
  };
}

export const FOLLOW_UP_TTL_SECONDS = 30 * 24 * 3600;
