// Fields that messages and frames (and the entry, for notes) share: times, arrival times and notes.
import { harTimeToMs } from './har-time.js';
import { bad } from './json-values.js';

/** Reports a problem with a field named in full. */
export type FieldReport = (field: string, message: string) => void;

/** A `_notes` field (Framescope's notes): a string, else a problem and no note. */
export function noteField(value: unknown, field: string, report: FieldReport): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string') return value;
  report(field, `${bad(value, 'a string')}; no note imported`);
  return undefined;
}

/** Framescope's `_arrived`: when a held or queued item arrived at the proxy (time is when it went on the wire). */
export function arrivedField(value: unknown, field: string, report: FieldReport): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return harTimeToMs(value);
  report(field, `${bad(value, 'a time')}; no arrival time imported`);
  return undefined;
}

/** A message or frame time as epoch ms; NaN (filled in later) with a problem when it is not a time. */
export function timeField(value: unknown, field: string, what: string, report: FieldReport): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return harTimeToMs(value);
  report(field, `${bad(value, 'a time')}; the ${what} takes the time of the one before it`);
  return NaN;
}
