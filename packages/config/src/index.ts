export { envSchema, type Env } from './env-schema.ts';
export { loadConfig, loadConfigOrExit, ConfigError, type Config } from './load-config.ts';
