import type { RoutingDocument } from './routing-schema.ts';
import type { RoutingStore } from './routing-store.ts';

export type CurrentRouting = { version: number; routing: RoutingDocument; source: 'document' | 'environment' };

/** The routing in force: the stored document's newest version, else the one the environment defines (version 0). */
export function currentRoutingSource(store: RoutingStore, fromEnv: RoutingDocument): () => Promise<CurrentRouting> {
  return async () => {
    const cur = await store.current();
    return cur
      ? { version: cur.version, routing: cur.routing, source: 'document' }
      : { version: 0, routing: fromEnv, source: 'environment' };
  };
}
