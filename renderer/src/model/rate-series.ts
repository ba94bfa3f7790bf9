// Message and byte rates over time, each way, from frame summaries. A short connection is counted
// exactly from all its frames; a long one from evenly spaced probe windows: the frames between two
// probes are known exactly from their numbers, and the window at each probe tells how they split
// into directions, messages and bytes. A million-frame connection costs a few thousand summaries.
import type { FrameSummary } from '../api/wire.js';

export const SERIES = ['msgSend', 'msgReceive', 'bytesSend', 'bytesReceive'] as const;
export type SeriesName = (typeof SERIES)[number];

export interface RateSeries {
  /** Epoch ms of the first bin's start. */
  start: number;
  /** Epoch ms of the last bin's end. */
  end: number;
  /** Per bin: messages/s and bytes/s each way. */
  bins: Record<SeriesName, Float64Array>;
  /** Frame numbers and times known (probe starts), ascending: to turn a time back into a frame. */
  anchors: { number: number; time: number }[];
}

export interface ProbeWindow {
  /** The first frame's number. */
  start: number;
  /** Consecutive frames from start. */
  frames: FrameSummary[];
}

const endsMessage = (f: FrameSummary) => f.fin && f.opcode <= 2;
const wireBytes = (f: FrameSummary) => f.headerLength + Number(f.payloadLength);

/** A rate is averaged over at least this long, ms: shorter bins turn a burst of three frames into thousands per second. */
const MIN_BIN_MS = 100;
/** The plot spans at least this long, ms, so a short connection still shows a readable shape. */
const MIN_SPAN_MS = 1000;

/** Rates from windows ordered by start, in at most maxBins bins; windows that cover every frame give exact figures. */
export function rateSeries(windows: readonly ProbeWindow[], total: number, maxBins: number): RateSeries | undefined {
  const usable = windows.filter((w) => w.frames.length > 0);
  if (usable.length === 0) return undefined;
  const first = usable[0]!.frames[0]!;
  const lastWindow = usable[usable.length - 1]!;
  const last = lastWindow.frames[lastWindow.frames.length - 1]!;
  const start = first.time;
  const end = Math.max(last.time, start + MIN_SPAN_MS);
  const binCount = Math.max(1, Math.min(maxBins, Math.floor((end - start) / MIN_BIN_MS)));
  const width = (end - start) / binCount;
  const bins = Object.fromEntries(SERIES.map((s) => [s, new Float64Array(binCount)])) as Record<SeriesName, Float64Array>;
  const anchors: RateSeries['anchors'] = [];

  /** Spreads amounts that happened evenly over [t0, t1] onto the bins, as per-second rates. */
  const spread = (t0: number, t1: number, amounts: Record<SeriesName, number>) => {
    if (t1 <= t0) {
      const b = Math.min(binCount - 1, Math.max(0, Math.floor((t0 - start) / width)));
      for (const s of SERIES) bins[s][b]! += (amounts[s] * 1000) / width;
      return;
    }
    const b0 = Math.max(0, Math.floor((t0 - start) / width));
    const b1 = Math.min(binCount - 1, Math.floor((t1 - start) / width));
    for (let b = b0; b <= b1; b++) {
      const overlap = Math.min(t1, start + (b + 1) * width) - Math.max(t0, start + b * width);
      if (overlap <= 0) continue;
      const share = overlap / (t1 - t0);
      for (const s of SERIES) bins[s][b]! += (amounts[s] * share * 1000) / width;
    }
  };

  for (let i = 0; i < usable.length; i++) {
    const w = usable[i]!;
    anchors.push({ number: w.start, time: w.frames[0]!.time });
    // The window's own frames, one by one.
    for (const f of w.frames) {
      spread(f.time, f.time, {
        msgSend: f.direction === 'send' && endsMessage(f) ? 1 : 0,
        msgReceive: f.direction === 'receive' && endsMessage(f) ? 1 : 0,
        bytesSend: f.direction === 'send' ? wireBytes(f) : 0,
        bytesReceive: f.direction === 'receive' ? wireBytes(f) : 0,
      });
    }
    // The gap up to the next window: its frame count is exact, the mix is the window's.
    const next = usable[i + 1];
    const gapStart = w.start + w.frames.length;
    const gapEnd = next ? next.start : total;
    const gap = gapEnd - gapStart;
    if (gap <= 0 || !next) continue;
    const mix = { msgSend: 0, msgReceive: 0, bytesSend: 0, bytesReceive: 0 };
    for (const f of w.frames) {
      if (f.direction === 'send') {
        mix.bytesSend += wireBytes(f);
        if (endsMessage(f)) mix.msgSend++;
      } else {
        mix.bytesReceive += wireBytes(f);
        if (endsMessage(f)) mix.msgReceive++;
      }
    }
    const scale = gap / w.frames.length;
    spread(w.frames[w.frames.length - 1]!.time, next.frames[0]!.time, {
      msgSend: mix.msgSend * scale, msgReceive: mix.msgReceive * scale, bytesSend: mix.bytesSend * scale, bytesReceive: mix.bytesReceive * scale,
    });
  }
  return { start, end, bins, anchors };
}

/** The frame number about `time`, interpolated between known anchors (refine it with a fetch). */
export function estimateFrameAt(series: RateSeries, time: number, total: number): number {
  const a = series.anchors;
  if (a.length === 0 || time <= a[0]!.time) return 0;
  for (let i = 0; i + 1 < a.length; i++) {
    const p = a[i]!;
    const q = a[i + 1]!;
    if (time <= q.time) return Math.floor(p.number + ((time - p.time) / Math.max(1, q.time - p.time)) * (q.number - p.number));
  }
  const p = a[a.length - 1]!;
  return Math.min(total - 1, Math.max(p.number, Math.floor(p.number + ((time - p.time) / Math.max(1, series.end - p.time)) * (total - p.number))));
}
