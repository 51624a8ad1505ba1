import type { DialedLeg } from '@dda/telnyx';

/**
 * The simulator answers a first dial with every id; the wrapper types them as nullable because a resent
 * dial's answer may lack them. Tests that dial once narrow here, failing loudly if an id is missing.
 */
export function withIds(d: DialedLeg): { callControlId: string; callLegId: string; callSessionId: string } {
  if (!d.callControlId || !d.callLegId || !d.callSessionId) throw new Error(`dial answered without ids: ${JSON.stringify(d)}`);
  return { callControlId: d.callControlId, callLegId: d.callLegId, callSessionId: d.callSessionId };
}
