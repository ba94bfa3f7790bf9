// Messages/s and bytes/s each way over the connection's life, drawn on a canvas from sampled frame
// summaries (rate-store.ts). A click jumps the timeline to that moment; the selected frame's time
// is marked.
import { formatTime } from '../time-format.js';
import { useEffect, useRef, useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { clockTime, compact } from '../format.js';
import type { RateSeries, SeriesName } from '../../model/rate-series.js';

const HEIGHT = 72;

export function RatePlot() {
  const { rates, frameDetail, settings, view, connections } = useApp();
  useStore(rates);
  useStore(frameDetail);
  useStore(settings);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<{ x: number; time: number } | undefined>();
  const series = rates.series;
  const selectedTime = frameDetail.view?.frame.connectionId === rates.connectionId ? frameDetail.view?.frame.time : undefined;
  const origin = connections.get(rates.connectionId)?.startedAt ?? 0;

  useEffect(() => {
    const el = canvas.current!.parentElement!;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current!;
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.max(1, Math.floor(width * ratio));
    c.height = Math.floor(HEIGHT * ratio);
    const ctx = c.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    draw(ctx, width, series, selectedTime, getComputedStyle(c));
  }, [width, series, selectedTime, settings.theme]);

  const plotWidth = Math.max(1, width - GUTTER);
  const timeAt = (x: number) => (series ? series.start + (Math.max(0, x - GUTTER) / plotWidth) * (series.end - series.start) : 0);
  const bin = hover && series && hover.x >= GUTTER ? Math.min(series.bins.msgSend.length - 1, Math.floor(((hover.x - GUTTER) / plotWidth) * series.bins.msgSend.length)) : -1;

  return (
    <div className="rate-plot" aria-label="Rate plot">
      <canvas
        ref={canvas}
        style={{ width: '100%', height: HEIGHT }}
        onMouseMove={(e) => setHover({ x: e.nativeEvent.offsetX, time: timeAt(e.nativeEvent.offsetX) })}
        onMouseLeave={() => setHover(undefined)}
        onClick={(e) => {
          if (!series) return;
          const time = timeAt(e.nativeEvent.offsetX);
          void rates.frameAt(time).then((n) => n !== undefined && view.revealFrame(n));
        }}
      />
      <div className="rate-legend">
        <span className="legend-send">↑ sent</span>
        <span className="legend-receive">↓ received</span>
        <span className="muted">sent above the line, received below{series ? ` · ${clockTime(series.start)} – ${clockTime(series.end)}` : ''}{rates.loading ? ' · updating…' : ''}</span>
      </div>
      {!series ? <div className="rate-empty muted">{rates.connectionId === undefined || rates.total === 0 && !rates.loading ? 'No traffic to plot yet' : 'Reading rates…'}</div> : null}
      {hover && series && bin >= 0 ? (
        <div className="rate-tip" style={{ left: Math.min(hover.x + 12, width - 200) }}>
          <div>{formatTime(hover.time, origin, settings.timeFormat)}</div>
          <div>↑ {compact(series.bins.msgSend[bin]!)} msg/s · {compact(series.bins.bytesSend[bin]!)} B/s</div>
          <div>↓ {compact(series.bins.msgReceive[bin]!)} msg/s · {compact(series.bins.bytesReceive[bin]!)} B/s</div>
          <div className="muted">click to jump here</div>
        </div>
      ) : null}
    </div>
  );
}

/** Left gutter for the axis labels, px. */
const GUTTER = 64;

/**
 * Two lanes, messages/s above bytes/s; in each, what the client sent rises from the lane's middle
 * line and what it received hangs below it, so the two directions never hide each other.
 */
function draw(ctx: CanvasRenderingContext2D, width: number, series: RateSeries | undefined, selectedTime: number | undefined, style: CSSStyleDeclaration) {
  ctx.clearRect(0, 0, width, HEIGHT);
  const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const grid = color('--plot-grid', '#d9dde3');
  const send = color('--send', '#2f6fde');
  const receive = color('--receive', '#13926a');
  const mark = color('--warn', '#b45309');
  const text = color('--muted', '#6b7280');
  const laneHeight = HEIGHT / 2;
  const plotWidth = Math.max(1, width - GUTTER);
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const lane = (names: [SeriesName, SeriesName], top: number, unit: string) => {
    const middle = Math.round(top + laneHeight / 2) + 0.5;
    const half = laneHeight / 2 - 3;
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(GUTTER, middle);
    ctx.lineTo(width, middle);
    ctx.stroke();
    ctx.fillStyle = text;
    if (!series) {
      ctx.fillText(unit, 4, middle);
      return;
    }
    const up = series.bins[names[0]];
    const down = series.bins[names[1]];
    const max = Math.max(1e-9, ...up, ...down);
    // The lane's scale: its busiest bin, either way.
    ctx.fillText(`${compact(max)} ${unit}`, 4, middle);
    const n = up.length;
    const barWidth = plotWidth / n;
    for (let i = 0; i < n; i++) {
      const x = GUTTER + i * barWidth;
      const w = Math.max(1, barWidth - (barWidth > 3 ? 1 : 0));
      const hUp = (up[i]! / max) * half;
      const hDown = (down[i]! / max) * half;
      if (hUp > 0) {
        ctx.fillStyle = send;
        ctx.fillRect(x, middle - Math.max(1, hUp), w, Math.max(1, hUp));
      }
      if (hDown > 0) {
        ctx.fillStyle = receive;
        ctx.fillRect(x, middle, w, Math.max(1, hDown));
      }
    }
  };
  lane(['msgSend', 'msgReceive'], 0, 'msg/s');
  lane(['bytesSend', 'bytesReceive'], laneHeight, 'B/s');
  ctx.strokeStyle = grid;
  ctx.beginPath();
  ctx.moveTo(GUTTER - 0.5, 0);
  ctx.lineTo(GUTTER - 0.5, HEIGHT);
  ctx.stroke();
  if (series && selectedTime !== undefined && selectedTime >= series.start && selectedTime <= series.end) {
    const x = GUTTER + Math.round(((selectedTime - series.start) / (series.end - series.start)) * plotWidth) + 0.5;
    ctx.strokeStyle = mark;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, HEIGHT);
    ctx.stroke();
  }
}
