/**
 * What a note POST that passes validation does:
 * - `ok`: stores the note, answers 201;
 * - `server_error_after_write`: stores the note, then answers 500 (the client cannot know it was written);
 * - `timeout_after_write`: stores the note and never answers (the request is held until the client hangs up);
 * - `errors_in_201`: stores nothing and answers 201 with `errors[]`, as Merge does when the CRM refused the write.
 */
export const NOTE_FAULTS = ['ok', 'server_error_after_write', 'timeout_after_write', 'errors_in_201'] as const;
export type NoteFault = (typeof NOTE_FAULTS)[number];

export type MergeFaults = {
  status?: 429 | 500 | 503;
  /** How many of the next /crm requests fail; defaults to 1 when a status is given. */
  count?: number;
  /** Added before every /crm answer until changed. */
  latencyMs?: number;
  retryAfterSeconds?: number;
  /** How note POSTs behave until changed (see NOTE_FAULTS); applied after the status faults above. */
  notes?: NoteFault;
  /** How many of the next valid note POSTs get `notes`; every one until changed when not given. */
  notesCount?: number;
};

const FAULT_STATUSES = new Set([429, 500, 503]);

/** Each call replaces the previous settings, so `setFaults({})` is "healthy again". */
export function createFaultState() {
  let status: 429 | 500 | 503 | undefined;
  let remaining = 0;
  let latencyMs = 0;
  let retryAfterSeconds: number | undefined;
  let notes: NoteFault = 'ok';
  let notesRemaining = Infinity;

  return {
    set(f: MergeFaults): void {
      if (f.status !== undefined && !FAULT_STATUSES.has(f.status))
        throw new RangeError(`fault status must be 429, 500 or 503, not ${f.status}`);
      if (f.notes !== undefined && !(NOTE_FAULTS as readonly string[]).includes(f.notes))
        throw new RangeError(`notes must be one of ${NOTE_FAULTS.join(', ')}, not ${f.notes}`);
      for (const [name, v] of [
        ['count', f.count],
        ['notesCount', f.notesCount],
        ['latencyMs', f.latencyMs],
        ['retryAfterSeconds', f.retryAfterSeconds],
      ] as const) {
        if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be a non-negative number`);
      }
      status = f.status;
      remaining = f.status === undefined ? 0 : Math.floor(f.count ?? 1);
      latencyMs = f.latencyMs ?? 0;
      retryAfterSeconds = f.retryAfterSeconds;
      notes = f.notes ?? 'ok';
      notesRemaining = notes === 'ok' ? Infinity : Math.floor(f.notesCount ?? Infinity);
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
    /** The behaviour of one valid note POST, consuming one of `notesCount`. */
    takeNoteFault(): NoteFault {
      if (notes === 'ok' || notesRemaining <= 0) return 'ok';
      notesRemaining--;
      return notes;
    },
    snapshot(): MergeFaults & { remaining: number; notesRemaining: number | null } {
      return {
        ...(status === undefined ? {} : { status }),
        remaining,
        latencyMs,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        notes: notesRemaining > 0 ? notes : 'ok',
        // null: no bound (JSON has no Infinity).
        notesRemaining: notes === 'ok' ? 0 : Number.isFinite(notesRemaining) ? notesRemaining : null,
      };
    },
  };
}

export type FaultState = ReturnType<typeof createFaultState>;
