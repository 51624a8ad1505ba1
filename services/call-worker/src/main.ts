import { loadConfigOrExit } from '@dda/config';
import { createLogger } from '@dda/logger';
import { createWorkerConnection } from '@dda/queues';

// Placeholder until the call flow lands: starts, connects and logs so the process topology is real.
const config = loadConfigOrExit();
const log = createLogger({ service: 'call-worker', level: config.LOG_LEVEL });
const redis = createWorkerConnection(config.REDIS_URL);
redis.on('ready', () => log.info('connected to redis'));
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
const stop = () => {
  redis.disconnect();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
log.info('call-worker started');
