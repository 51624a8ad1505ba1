export { createLogger, type Logger } from './create-logger.ts';
export { maskPhones, redactDeep, SECRET_KEYS } from './redact-log-object.ts';
