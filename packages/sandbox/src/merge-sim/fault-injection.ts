export type MergeFaults = {
  status?: 429 | 500 | 503;
  /** How many of the next /crm requests fail; defaults to 1 when a status is given. */
  count?: number;
  /** Added before every /crm answer until changed. */
  latencyMs?: number;
  retryAfterSeconds?: number;
};

const FAULT_STATUSES = new Set([429, 500, 503]);

/** Each call replaces the previous settings, so `setFaults({})` is "healthy again". */
export function createFaultState() {
  let status: 429 | 500 | 503 | undefined;
  let remaining = 0;
  let latencyMs = 0;
  let retryAfterSeconds: number | undefined;

  return {
    set(f: MergeFaults): void {
      if (f.status !== undefined && !FAULT_STATUSES.has(f.status))
        throw new RangeError(`fault status must be 429, 500 or 503, not ${f.status}`);
      for (const [name, v] of [
        ['count', f.count],
        ['latencyMs', f.latencyMs],
        ['retryAfterSeconds', f.retryAfterSeconds],
      ] as const) {
        if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be a non-negative number`);
      }
      status = f.status;
      remaining = f.status === undefined ? 0 : Math.floor(f.count ?? 1);
      latencyMs = f.latencyMs ?? 0;
      retryAfterSeconds = f.retryAfterSeconds;
    },
    get latencyMs(): number {
      return latencyMs;
    },
    /** Consumes one injected failure, if any is left. */
    take(): { status: number; retryAfterSeconds?: number } | undefined {
      if (status === undefined || remaining <= 0) return undefined;
      remaining--;
      return { status, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
    },
    snapshot(): MergeFaults & { remaining: number } {
      return {
        ...(status === undefined ? {} : { status }),
        remaining,
        latencyMs,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      };
    },
  };
}

export type FaultState = ReturnType<typeof createFaultState>;
