import { duplicateClient, type RedisClient } from '@dda/redis';
import { alertChangesChannel } from '@dda/store';

type Log = { warn: (o: object, m: string) => void };
export type ChangeListener = (message: string) => void;

/**
 * One Redis subscription per ingress process, fanned out to every open /events stream. The subscriber
 * connection is opened with the first listener (most ingress replicas never serve a page) and, unlike the
 * producer connection, waits through Redis blips: ioredis re-subscribes on reconnect.
 */
export function createAlertChangeFeed(redis: RedisClient, prefix: string, log: Log) {
  const listeners = new Set<ChangeListener>();
  let subscriber: RedisClient | null = null;
  let subscribed: Promise<unknown> | null = null;

  function start(): Promise<unknown> {
    subscriber = duplicateClient(redis, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on('error', (err) => log.warn({ err: err.message }, 'alert feed subscriber error'));
    subscriber.on('message', (_channel: string, message: string) => {
      for (const l of listeners) l(message);
    });
    return subscriber.subscribe(alertChangesChannel(prefix));
  }

  return {
    /** Resolves once the subscription is live, so nothing published after it is missed; returns the unsubscribe. */
    async listen(listener: ChangeListener): Promise<() => void> {
      listeners.add(listener);
      subscribed ??= start();
      await subscribed;
      return () => listeners.delete(listener);
    },
    get listeners(): number {
      return listeners.size;
    },
    close(): void {
      listeners.clear();
      subscriber?.disconnect();
      subscriber = null;
      subscribed = null;
    },
  };
}

export type AlertChangeFeed = ReturnType<typeof createAlertChangeFeed>;
