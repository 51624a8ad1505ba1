import { describe, expect, it } from 'vitest';
import { createRecentDeliveries } from '../src/recent-deliveries.ts';

/** An acceptance that resolves when told to, counting how often it ran. */
function gate<R>(value: R) {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const p = new Promise<R>((res, rej) => {
    open = () => res(value);
    fail = rej;
  });
  let runs = 0;
  return { accept: () => (runs++, p), open, fail, runs: () => runs };
}

describe('recent deliveries', () => {
  it('copies arriving during the first acceptance wait for it and are duplicates; later copies are known at once', async () => {
    const recent = createRecentDeliveries({ max: 10, ttlMs: 60_000 });
    const g = gate({ duplicate: false });
    const first = recent.acceptOnce('a', g.accept);
    const copies = [recent.acceptOnce('a', g.accept), recent.acceptOnce('a', g.accept)];
    let settled = false;
    void Promise.all(copies).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false); // nobody is answered before the first is durable
    g.open();
    expect(await first).toEqual({ duplicate: false });
    expect(await Promise.all(copies)).toEqual([{ duplicate: true }, { duplicate: true }]);
    expect(await recent.acceptOnce('a', g.accept)).toEqual({ duplicate: true });
    expect(g.runs()).toBe(1);
  });

  it('a failed acceptance fails its waiting copies too, and is not remembered: the next copy asks again', async () => {
    const recent = createRecentDeliveries({ max: 10, ttlMs: 60_000 });
    const g = gate({ duplicate: false });
    const first = recent.acceptOnce('b', g.accept);
    const copy = recent.acceptOnce('b', g.accept);
    g.fail(new Error('redis down'));
    await expect(first).rejects.toThrow('redis down');
    await expect(copy).rejects.toThrow('redis down');
    let asked = 0;
    expect(await recent.acceptOnce('b', async () => (asked++, { duplicate: true }))).toEqual({ duplicate: true });
    expect(asked).toBe(1);
  });

  it('forgets by age and keeps at most `max` ids, the oldest going first', async () => {
    let t = 0;
    const recent = createRecentDeliveries({ max: 2, ttlMs: 100, now: () => t });
    let asked = 0;
    const accept = async () => (asked++, { duplicate: false });
    for (const id of ['x', 'y', 'z']) await recent.acceptOnce(id, accept);
    expect(recent.size()).toBe(2);
    await recent.acceptOnce('x', accept); // evicted: asked again
    expect(asked).toBe(4);
    t = 1000;
    await recent.acceptOnce('z', accept); // expired: asked again
    expect(asked).toBe(5);
  });
});
