export * from './deal-rules.ts';
export * from './intents.ts';
export * from './call-machine.ts';
export * from './speech-text.ts';
export * from './call-script.ts';
export * from './quiet-hours.ts';
export * from './timeline-events.ts';
export * from './follow-up-text.ts';
