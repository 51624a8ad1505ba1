export * from './deal-rules.ts';
