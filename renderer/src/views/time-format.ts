// How a list writes a time: the clock (time of day), since the connection started, or epoch seconds
// (what HAR and logs carry, to match against them).
import type { TimeFormat } from '../model/settings-store.js';
import { clockTime, relativeTime } from './format.js';

/** 1764990000.123: epoch seconds with milliseconds. */
export function epochTime(epochMs: number): string {
  return (epochMs / 1000).toFixed(3);
}

export function formatTime(epochMs: number, originMs: number, format: TimeFormat): string {
  return format === 'absolute' ? clockTime(epochMs) : format === 'epoch' ? epochTime(epochMs) : relativeTime(epochMs, originMs);
}

/** The time column's head. */
export function timeHeading(format: TimeFormat): string {
  return format === 'absolute' ? 'Time' : format === 'epoch' ? 'Epoch (s)' : 'Since start';
}

export const TIME_FORMAT_OPTIONS: { value: TimeFormat; label: string; title: string }[] = [
  { value: 'absolute', label: 'Clock', title: 'Time of day' },
  { value: 'relative', label: '+Δ', title: 'Time since the connection started' },
  { value: 'epoch', label: 'Epoch', title: 'Seconds since 1970 (as in HAR and logs)' },
];
