import { headline, templateBriefing } from '@dda/domain';
import type { AlertsRepository, Briefing } from '@dda/store';
import { classifyAiError, type AiClient } from './ai-client.ts';
import { buildBriefingContext, hasCrmDeal, type BriefingContext, type NoteLike } from './briefing-context.ts';
import { judgeBriefing, type FallbackReason } from './briefing-check.ts';
import { BRIEFING_MAX_TOKENS, briefingMessages } from './briefing-prompt.ts';

type Log = { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };

export type BriefingWriterDeps = {
  alerts: Pick<AlertsRepository, 'get' | 'setBriefing'>;
  /** Merge's notes for a deal, newest first (`merge.listNotes`); null skips notes. */
  listNotes: ((dealId: string) => Promise<NoteLike[]>) | null;
  /** null when no AI is configured: every briefing is the template. */
  ai: AiClient | null;
  /** The whole budget (notes and AI together, retries included); AI_TIMEOUT_MS. */
  timeoutMs: number;
  log: Log;
  now?: () => Date;
};

export type BriefingResult =
  | { alertId: string; skipped: 'alert_missing' | 'already_written' }
  | { alertId: string; fallback: boolean; fallback_reason: FallbackReason | null; model: string | null; latency_ms: number | null };

/** Notes are a nice-to-have: they get a slice of the budget and their failure only means no notes. */
export const NOTES_BUDGET_MS = 1500;

class Deadline extends Error {
  override name = 'Deadline';
}

/** Resolves with the promise, or rejects when `ms` pass or `signal` aborts, whichever is first. */
function within<T>(p: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(new Deadline('deadline reached')));
    const timer = setTimeout(() => finish(() => reject(new Deadline(`no answer within ${ms} ms`))), ms);
    signal.addEventListener('abort', onAbort, { once: true });
    function finish(f: () => void) {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      f();
    }
    if (signal.aborted) return onAbort();
    p.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}

/**
 * Writes one alert's briefing: deal context (plus Merge notes) → chat model → checks → stored with a
 * `briefing.written` timeline entry. Whatever goes wrong with the AI (not configured, error, timeout, garbage,
 * too long, empty, off topic) the deterministic template is stored instead, with fallback true and the reason.
 * Bounded by `timeoutMs` end to end. Never on the phone's path: the call speaks the template until this lands.
 */
export async function writeBriefing(deps: BriefingWriterDeps, alertId: string): Promise<BriefingResult> {
  const log = {
    info: (o: object, m: string) => deps.log.info({ alert_id: alertId, ...o }, m),
    warn: (o: object, m: string) => deps.log.warn({ alert_id: alertId, ...o }, m),
  };
  const alert = await deps.alerts.get(alertId);
  if (!alert) {
    log.warn({}, 'briefing skipped: alert missing');
    return { alertId, skipped: 'alert_missing' };
  }
  // A retried job (crash after the write) must not replace what the call may already have spoken.
  if (alert.briefing) return { alertId, skipped: 'already_written' };

  const started = performance.now();
  const now = deps.now?.() ?? new Date();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Deadline(`AI_TIMEOUT_MS (${deps.timeoutMs} ms) reached`)), deps.timeoutMs);
  let briefing: Briefing;
  try {
    const notes = await fetchNotes(deps, alert.deal.id, hasCrmDeal(alert), deadline.signal, log);
    const ctx = buildBriefingContext(alert, notes, now);
    briefing = await compose(deps, ctx, deadline.signal, started, log);
  } finally {
    clearTimeout(timer);
  }
  await deps.alerts.setBriefing(alertId, briefing, {
    model: briefing.model,
    latency_ms: briefing.latency_ms,
    fallback: briefing.fallback,
    ...(briefing.fallback_reason ? { fallback_reason: briefing.fallback_reason } : {}),
  });
  log.info(
    {
      model: briefing.model,
      latency_ms: briefing.latency_ms,
      fallback: briefing.fallback,
      fallback_reason: briefing.fallback_reason,
      chars: briefing.text.length,
      total_ms: Math.round(performance.now() - started),
    },
    'briefing written',
  );
  return {
    alertId,
    fallback: briefing.fallback,
    fallback_reason: briefing.fallback_reason as FallbackReason | null,
    model: briefing.model,
    latency_ms: briefing.latency_ms,
  };
}

async function fetchNotes(deps: BriefingWriterDeps, dealId: string, crmDeal: boolean, signal: AbortSignal, log: Log): Promise<NoteLike[]> {
  if (!crmDeal || !deps.listNotes) return [];
  const budget = Math.min(NOTES_BUDGET_MS, Math.floor(deps.timeoutMs / 3));
  const t0 = performance.now();
  try {
    return await within(deps.listNotes(dealId), budget, signal);
  } catch (err) {
    log.warn(
      { deal_id: dealId, err: (err as Error).message, ms: Math.round(performance.now() - t0) },
      'notes unavailable; briefing without them',
    );
    return [];
  }
}

async function compose(deps: BriefingWriterDeps, ctx: BriefingContext, signal: AbortSignal, started: number, log: Log): Promise<Briefing> {
  const template = (reason: FallbackReason, latency: number | null): Briefing => ({
    text: templateBriefing(ctx.facts),
    headline: headline(ctx.facts),
    model: null,
    latency_ms: latency,
    fallback: true,
    fallback_reason: reason,
    written_at: new Date().toISOString(),
  });
  if (!deps.ai) return template('not_configured', null);

  const aiStarted = performance.now();
  const remaining = deps.timeoutMs - (aiStarted - started);
  if (remaining <= 0 || signal.aborted) return template('timeout', 0);
  try {
    const res = await within(
      deps.ai.complete(briefingMessages(ctx), { signal, timeoutMs: remaining, maxTokens: BRIEFING_MAX_TOKENS }),
      remaining + 50,
      signal,
    );
    const verdict = judgeBriefing(res.text, res.finishReason, ctx);
    if (!verdict.ok) {
      log.warn(
        { model: res.model, latency_ms: res.latencyMs, fallback_reason: verdict.reason, detail: verdict.detail },
        'AI briefing rejected; using the template',
      );
      return template(verdict.reason, res.latencyMs);
    }
    return {
      text: verdict.text,
      headline: headline(ctx.facts),
      model: res.model,
      latency_ms: res.latencyMs,
      fallback: false,
      fallback_reason: null,
      written_at: new Date().toISOString(),
    };
  } catch (err) {
    const latency = Math.round(performance.now() - aiStarted);
    const failure = classifyAiError(err, signal.aborted || err instanceof Deadline);
    log.warn(
      { model: deps.ai.model, latency_ms: latency, fallback_reason: failure.reason, status: failure.status, err: failure.detail },
      'AI briefing failed; using the template',
    );
    return template(failure.reason, latency);
  }
}
