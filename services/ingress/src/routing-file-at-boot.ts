import type { Logger } from '@dda/logger';
import { loadRoutingFile, type RoutingStore } from '@dda/routing';

/**
 * ROUTING_FILE for people who keep routing in git: read once at boot and stored as a new version when the
 * file changed since it was last applied. A file with problems stops the ingress with each one named.
 */
export async function applyRoutingFileAtBoot(store: RoutingStore, file: string, log: Logger): Promise<void> {
  const { routing, text } = loadRoutingFile(file);
  const applied = await store.applyFile(routing, text);
  log.info({ routing_version: applied.version, changed: applied.changed, file }, applied.skipped ? 'ROUTING_FILE unchanged since last applied' : 'ROUTING_FILE applied');
}
