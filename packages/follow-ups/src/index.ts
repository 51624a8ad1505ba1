export type { FollowUpDeps, NoteWriter, SmsMessage } from './follow-up-deps.ts';
export { followUpKeys } from './follow-up-keys.ts';
export { writeNoteOnce, AD_HOC_DEAL_PREFIX, MAX_NOTE_POSTS, type NoteResult } from './crm-note.ts';
export { noteContent, noteReference } from './note-content.ts';
export { notePermission, knownNotePermission, recordNotePermission, type NotePermission } from './note-permission.ts';
export { textOnce, textRecipients, type TextRecipient, type TextResult } from './sms-follow-up.ts';
export { runFollowUp, type FollowUpResult } from './run-follow-up.ts';
export { recordDelivery, type DeliveryResult } from './sms-delivery.ts';
