import type { RedisClient } from '@dda/redis';
import type { Logger } from '@dda/logger';
import type { AlertPlans } from '@dda/routing';
import type { AlertsRepository } from '@dda/store';

/** What the note writer needs of one linked account's Merge client: a `MergeClient` (packages/merge) is one. */
export type NoteWriter = {
  /** Digest of the account token: names the account in Redis keys without the token. */
  account: string;
  noteWriteMeta: () => Promise<{ canWrite: boolean; reason: string | null }>;
  createNote: (input: { opportunity: string; content: string }) => Promise<{ id: string | null; warnings: string[] }>;
  listNotes: (opportunityId: string, limit: number) => Promise<Array<{ content?: string | null }>>;
};

export type SmsMessage = { from: string; to: string; text: string; messagingProfileId: string; webhookUrl: string };

export type FollowUpDeps = {
  alerts: AlertsRepository;
  redis: RedisClient;
  prefix: string;
  log: Logger;
  notes: {
    enabled: boolean;
    /** The Merge client of the alert's linked account (null: no token serves it). */
    forAccount: (linkedAccountId: string | null) => Promise<NoteWriter | null>;
  };
  sms: {
    mode: 'missed' | 'always' | 'off';
    /** Our number: the texts come from it and name it as the number to call back. */
    from: string;
    messagingProfileId: string | null;
    webhookUrl: string;
    plans: AlertPlans;
    send: (m: SmsMessage) => Promise<{ id: string; status: string; parts: number | null }>;
    /** True when the vendor's answer shows the text was not sent (a 4xx); false when it may have gone out. */
    definitelyNotSent: (err: unknown) => boolean;
    /** A refusal in words for the timeline: status and vendor code, never the vendor's message (it names both numbers). */
    describe: (err: unknown) => string;
  };
};
