export { createLogger, REDACT_PATHS, type Logger } from './create-logger.ts';
export { maskPhones, maskPhonesDeep } from './redact-phone.ts';
