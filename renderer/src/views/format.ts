// How times, durations and counts are written across the UI.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 14:03:07.123 (local time). */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(Math.floor(d.getMilliseconds()), 3)}`;
}

/** 2026-11-21 14:03:07.123 (local time). */
export function dateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clockTime(epochMs)}`;
}

/** +1.234 s after the start, or +2:03.456 past a minute. */
export function relativeTime(epochMs: number, originMs: number): string {
  const ms = epochMs - originMs;
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(3)} s`;
  const minutes = Math.floor(abs / 60_000);
  return `${sign}${minutes}:${pad(Math.floor((abs % 60_000) / 1000))}.${pad(Math.floor(abs % 1000), 3)}`;
}

/** 850 ms, 12.3 s, 4 m 05 s, 2 h 03 m. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${pad(Math.floor((ms % 60_000) / 1000))} s`;
  return `${Math.floor(ms / 3_600_000)} h ${pad(Math.floor((ms % 3_600_000) / 60_000))} m`;
}

const GROUPED = new Intl.NumberFormat('en-US');

/**
 * 1,234,567 (one shared formatter: toLocaleString builds a new one per call). A string is a length past
 * 2^53 − 1 in decimal digits, as the API sends it: it is grouped exactly.
 */
export function count(n: number | string): string {
  if (typeof n === 'string') return /^\d+$/.test(n) ? GROUPED.format(BigInt(n)) : n;
  return n < 1000 ? String(n) : GROUPED.format(n);
}

/** A rate with a unit suffix: 1.2k, 3.4M. */
export function compact(n: number): string {
  if (n < 1000) return n < 10 && n % 1 !== 0 ? n.toFixed(1) : String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}
