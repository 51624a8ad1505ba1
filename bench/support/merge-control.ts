import type { MergeFaults } from '@dda/sandbox/merge-sim';

export type Delivery = { body: string; signature: string };

/** Drives a Merge simulator in another process through its `/_sim` control routes. */
export function mergeControl(mergeUrl: string) {
  const sim = `${mergeUrl}/_sim`;
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${sim}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`merge-sim ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    moveDeal: (id: string, stage: string) => post<{ id: string; modified_at: string }>(`/deals/${id}/move`, { stage }),
    /** The signed delivery Merge would send for the deal as it stands now. */
    webhookFor: (id: string, key: string, event = 'Opportunity.changed') => post<Delivery>(`/deals/${id}/webhook`, { event, key }),
    setFaults: (f: MergeFaults) => post(`/faults`, f),
  };
}

export type MergeControl = ReturnType<typeof mergeControl>;

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
