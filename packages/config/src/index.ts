export { envSchema, type Env } from './env-schema.ts';
export { loadConfig, loadConfigOrExit, ConfigError, SANDBOX_CREDENTIALS, type Config } from './load-config.ts';
export { applyProcessNice, SERVICE_NICE, SERVICE_NODE_OPTIONS, serviceNodeOptions } from './process-priority.ts';
