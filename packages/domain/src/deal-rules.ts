/** The facts triage needs about a deal, whatever CRM they came from. */
export type DealFacts = {
  id: string;
  name: string;
  amount: number | null;
  stage: string | null;
  status: 'OPEN' | 'WON' | 'LOST' | null;
  deleted: boolean;
};

/** What we remember of a deal between two sightings. */
export type DealSnapshot = {
  stage: string | null;
  band: AmountBand;
  amount: number | null;
};

export type AmountBand = 'above' | 'below' | 'unknown';

export type AlertReason = 'entered_alert_stage' | 'first_seen_in_alert_stage' | 'crossed_threshold';

export type TriageRules = { alertStages: readonly string[]; threshold: number };

export type Decision = { alert: true; reasons: AlertReason[]; reason: string; changeKey: string } | { alert: false; reason: string };

/** "Negotiation/Review", "negotiation review" and "NEGOTIATION_REVIEW" are one stage. */
export function normalizeStage(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** A CRM stage is an alert stage when one of the configured names appears in it as whole words. */
export function isAlertStage(stageName: string | null, alertStages: readonly string[]): boolean {
  if (!stageName) return false;
  const stage = `_${normalizeStage(stageName)}_`;
  return alertStages.some((s) => {
    const wanted = normalizeStage(s);
    return wanted !== '' && stage.includes(`_${wanted}_`);
  });
}

const CLOSED_STAGE = /(^|_)closed(_|$)|(^|_)(won|lost)(_|$)/;

export function isClosed(deal: DealFacts): boolean {
  if (deal.deleted || deal.status === 'WON' || deal.status === 'LOST') return true;
  return deal.stage !== null && CLOSED_STAGE.test(normalizeStage(deal.stage));
}

export function amountBand(amount: number | null, threshold: number): AmountBand {
  if (amount === null || !Number.isFinite(amount)) return 'unknown';
  return amount >= threshold ? 'above' : 'below';
}

export function snapshotOf(deal: DealFacts, rules: TriageRules): DealSnapshot {
  return { stage: deal.stage, band: amountBand(deal.amount, rules.threshold), amount: deal.amount };
}

function sameStage(a: string | null, b: string | null): boolean {
  return (a === null ? null : normalizeStage(a)) === (b === null ? null : normalizeStage(b));
}

/**
 * Did this sighting of the deal change it in a way the VP wants a call about?
 * Only transitions alert: the same stage and band seen again never does.
 */
export function decideAlert(prev: DealSnapshot | null, next: DealFacts, rules: TriageRules): Decision {
  if (isClosed(next)) return { alert: false, reason: next.deleted ? 'deal deleted' : 'deal closed' };
  const reasons: AlertReason[] = [];
  const inAlertStage = isAlertStage(next.stage, rules.alertStages);
  if (inAlertStage && prev === null) reasons.push('first_seen_in_alert_stage');
  if (inAlertStage && prev !== null && !sameStage(prev.stage, next.stage)) reasons.push('entered_alert_stage');
  const band = amountBand(next.amount, rules.threshold);
  if (prev !== null && prev.band === 'below' && band === 'above') reasons.push('crossed_threshold');
  if (reasons.length === 0) {
    return { alert: false, reason: inAlertStage ? 'no change of stage or band' : 'not in an alert stage' };
  }
  const from = prev?.stage ? normalizeStage(prev.stage) : 'new';
  const to = next.stage ? normalizeStage(next.stage) : 'none';
  return {
    alert: true,
    reasons,
    reason: describeReasons(reasons, prev, next, rules),
    changeKey: `${from}>${to}.${prev?.band ?? 'new'}>${band}`,
  };
}

function describeReasons(reasons: AlertReason[], prev: DealSnapshot | null, next: DealFacts, rules: TriageRules): string {
  return reasons
    .map((r) => {
      switch (r) {
        case 'first_seen_in_alert_stage':
          return `first seen in alert stage ${next.stage}`;
        case 'entered_alert_stage':
          return `moved from ${prev?.stage ?? 'no stage'} to alert stage ${next.stage}`;
        case 'crossed_threshold':
          return `amount ${next.amount} crossed the threshold ${rules.threshold}`;
        default:
          return String(r satisfies never);
      }
    })
    .join('; ');
}
