import { applyCallEvent, type CallAction, type CallContext, type CallEvent } from '../../src/call-machine.ts';

/** Applies the events in order from `start`: the context they lead to and every action decided on the way. */
export function applyAll(start: CallContext, events: CallEvent[]): { ctx: CallContext; actions: CallAction[] } {
  let ctx = start;
  const actions: CallAction[] = [];
  for (const e of events) {
    const t = applyCallEvent(ctx, e);
    if (!t) continue;
    ctx = t.ctx;
    actions.push(...t.actions);
  }
  return { ctx, actions };
}
