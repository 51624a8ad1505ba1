/**
 * Redis Cluster hashes only the part of a key inside its first `{…}`, so keys that carry the same tag share
 * a slot, and one script or MULTI may touch them together. Every owner of keys that change together (a
 * queue, an alert's shard, a call, a line) puts them under one tag; on a single node a tag is just text.
 */
export function hashTag(tag: string): string {
  return `{${tag}}`;
}
