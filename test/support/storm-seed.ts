import { makeOpportunity, type CrmSeed } from '@dda/sandbox/merge-sim';
import { buildCrmSeed, FIXTURE_IDS } from '@dda/sandbox/seed';

export const stormDealId = (i: number) => `5a1e0000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** The sandbox CRM plus `count` extra open deals (in Proposal unless `stage` names another), owned by the fixture AE, amounts all different. */
export function stormSeed(count: number, stage: RegExp = /proposal/i): CrmSeed {
  const seed = buildCrmSeed();
  const proposal = seed.stages.find((s) => stage.test(s.name ?? ''))!;
  const created = new Date(Date.now() - 86_400_000).toISOString();
  for (let i = 0; i < count; i++) {
    seed.opportunities.push(
      makeOpportunity({
        id: stormDealId(i),
        created_at: created,
        name: `Storm deal ${i}`,
        amount: 60_000 + i * 100,
        owner: FIXTURE_IDS.owner,
        account: FIXTURE_IDS.account,
        stage: proposal.id,
        status: 'OPEN',
      }),
    );
  }
  return seed;
}
