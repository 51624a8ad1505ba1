import { CrmSimError } from './sim-errors.ts';

export type Page<T> = { next: string | null; previous: string | null; results: T[] };

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;

/** Django REST framework's cursor pagination, which Merge uses: position-based, so inserts do not shift pages. */
type Position = { position: string; reverse: boolean };

function encode(p: Position): string {
  const qs = new URLSearchParams({ p: p.position, ...(p.reverse ? { r: '1' } : {}) });
  return Buffer.from(qs.toString(), 'utf8').toString('base64');
}

function decode(cursor: string): Position {
  const qs = new URLSearchParams(Buffer.from(cursor, 'base64').toString('utf8'));
  const position = qs.get('p');
  if (!position) throw new CrmSimError(404, 'Invalid cursor');
  return { position, reverse: qs.get('r') === '1' };
}

/** DRF ignores a page_size it cannot read and clamps one above the maximum. */
export function pageSizeFrom(raw: string | undefined): number {
  const n = raw === undefined ? NaN : Number(raw);
  if (!Number.isInteger(n) || n <= 0) return DEFAULT_PAGE_SIZE;
  return Math.min(n, MAX_PAGE_SIZE);
}

/**
 * `rows` must already be in the list order; `key` must be unique and sort descending in that order
 * (newest first), which is how the position in a cursor is compared.
 */
export function paginate<T>(rows: T[], key: (row: T) => string, cursor: string | undefined, pageSize: number): Page<T> {
  let start = 0;
  let end = Math.min(rows.length, pageSize);
  if (cursor) {
    const { position, reverse } = decode(cursor);
    if (reverse) {
      end = rows.findIndex((r) => key(r) <= position);
      if (end === -1) end = rows.length;
      start = Math.max(0, end - pageSize);
    } else {
      start = rows.findIndex((r) => key(r) < position);
      if (start === -1) start = rows.length;
      end = Math.min(rows.length, start + pageSize);
    }
  }
  const results = rows.slice(start, end);
  const first = results[0];
  const last = results.at(-1);
  return {
    next: end < rows.length && last !== undefined ? encode({ position: key(last), reverse: false }) : null,
    previous: start > 0 && first !== undefined ? encode({ position: key(first), reverse: true }) : null,
    results,
  };
}
