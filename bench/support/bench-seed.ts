import { buildCrmSeed } from '@dda/sandbox/seed';
import { makeOpportunity, type CrmSeed } from '@dda/sandbox/merge-sim';

/** Deterministic ids, so two runs talk about the same deals: b0000000-0000-4000-8000-000000000042. */
export function benchDealId(i: number): string {
  return `b0000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/**
 * The sandbox CRM's users, accounts and stages with `deals` generated opportunities, all open in
 * "Proposal/Price Quote" (not an alert stage) with amounts above the default threshold: a webhook for one of
 * them triages to "no alert" until the benchmark moves it to Negotiation/Review. The sandbox's own seven
 * deals are left out so no other deal can alert.
 */
export function buildBenchSeed(deals: number, now = new Date()): CrmSeed {
  const base = buildCrmSeed(now);
  const proposal = base.stages.find((s) => s.name === 'Proposal/Price Quote')!;
  const stamp = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString().replace('Z', '000Z');
  const closeDate = new Date(now.getTime() + 30 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z';
  const opportunities = Array.from({ length: deals }, (_, i) => {
    const account = base.accounts[i % base.accounts.length]!;
    const owner = base.users[i % base.users.length]!;
    return makeOpportunity({
      id: benchDealId(i),
      created_at: stamp(60 * 24 * 30),
      modified_at: stamp(60 * 24),
      name: `${account.name} - Bench Deal ${i}`,
      description: `Generated deal ${i} for the benchmarks.`,
      amount: 60_000 + ((i * 7919) % 200) * 1000,
      owner: owner.id,
      account: account.id,
      stage: proposal.id,
      close_date: closeDate,
      remote_created_at: stamp(60 * 24 * 31).replace(/\.\d+Z$/, 'Z'),
    });
  });
  return { ...base, opportunities, notes: [] };
}
