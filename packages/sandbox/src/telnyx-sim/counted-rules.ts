import { errorBodies, type TelnyxErrorBody } from './telnyx-errors.ts';
import type { Faults, TelnyxModes } from './sim-types.ts';

/**
 * The counting behind dropWebhooks, failCommands and loseAnswers: each rule fires a set number of times, so
 * it lives in one place that setModes / setFaults restart.
 */
export function createCountedRules() {
  let drops: Array<{ eventType: string; to?: string; left: number }> = [];
  let fails: Array<{ action: string; skip: number; left: number; code: string; status: number }> = [];
  let lose: { action: string; left: number } | null = null;

  return {
    resetModes(m: TelnyxModes) {
      drops = (m.dropWebhooks ?? []).map((d) => ({ eventType: d.eventType, ...(d.to ? { to: d.to } : {}), left: d.count }));
      fails = (m.failCommands ?? []).map((f) => ({
        action: f.action,
        skip: f.after ?? 0,
        left: f.count ?? 1,
        code: f.code ?? '10015',
        status: f.status ?? 422,
      }));
    },
    resetFaults(f: Faults) {
      lose = f.loseAnswers ? { action: f.loseAnswers.action, left: f.loseAnswers.count } : null;
    },
    /** True when this webhook is to be lost (and counts it). */
    drop(eventType: string, to: string): boolean {
      const rule = drops.find((d) => d.left > 0 && d.eventType === eventType && (d.to === undefined || d.to === to));
      if (!rule) return false;
      rule.left -= 1;
      return true;
    },
    /** The refusal for this command, if a failCommands rule takes it; every command of that action counts. */
    refuse(action: string): { status: number; body: TelnyxErrorBody } | null {
      for (const rule of fails) {
        if (rule.action !== action || rule.left <= 0) continue;
        if (rule.skip > 0) {
          rule.skip -= 1;
          continue;
        }
        rule.left -= 1;
        return { status: rule.status, body: errorBodies.refused(rule.code, action) };
      }
      return null;
    },
    /** True when this carried-out command's answer is to be lost. */
    loseAnswer(action: string): boolean {
      if (!lose || lose.action !== action || lose.left <= 0) return false;
      lose.left -= 1;
      return true;
    },
  };
}

export type CountedRules = ReturnType<typeof createCountedRules>;
