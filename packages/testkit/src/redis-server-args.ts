/**
 * The arguments of a redis-server that persists as production does (scripts/bootstrap.sh, docker-compose.yml,
 * README "Durability"): AOF on, fsynced per `appendfsync`, noeviction, no RDB snapshots, on loopback. Every
 * Redis the tests and benchmarks start begins from these; topologies add their own flags after them.
 */
export function productionRedisArgs(o: { port: number; dir: string; appendfsync?: 'always' | 'everysec' | 'no' }): string[] {
  return [
    '--port',
    String(o.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    o.dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    o.appendfsync ?? 'always',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
  ];
}
