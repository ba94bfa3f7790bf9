// Two panes with a draggable divider; the first pane's size is kept in localStorage by id.
import { useCallback, useRef, useState, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';

interface SplitterProps {
  /** Key for the saved size. */
  id: string;
  direction: 'row' | 'column';
  /** The first pane's initial size, px. */
  initial: number;
  min?: number;
  /** The second pane keeps at least this much, px. */
  minSecond?: number;
  first: ReactNode;
  second: ReactNode;
  /** Show only the first pane. */
  collapsed?: boolean;
  /** Which pane keeps its size when the window resizes (the other takes the rest). Default first. */
  sized?: 'first' | 'second';
}

export function Splitter({ id, direction, initial, min = 120, minSecond = 160, first, second, collapsed, sized = 'first' }: SplitterProps) {
  const key = `framescope.split.${id}`;
  const [size, setSize] = useState(() => Number(localStorage.getItem(key)) || initial);
  const container = useRef<HTMLDivElement>(null);

  const onPointerDown = useCallback((event: ReactPointerEvent<HTMLDivElement>) => {
    event.preventDefault();
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const box = container.current!.getBoundingClientRect();
    const total = direction === 'row' ? box.width : box.height;
    const origin = direction === 'row' ? box.left : box.top;
    let latest = size;
    const move = (e: PointerEvent) => {
      const pos = (direction === 'row' ? e.clientX : e.clientY) - origin;
      const firstSize = Math.max(min, Math.min(total - minSecond, pos));
      latest = Math.round(sized === 'first' ? firstSize : total - firstSize);
      setSize(latest);
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      localStorage.setItem(key, String(latest));
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  }, [direction, key, min, minSecond, size, sized]);

  return (
    <div ref={container} className={`split split-${direction}`}>
      <div className="split-pane" style={collapsed || sized === 'second' ? { flex: '1 1 0' } : { flex: `0 0 ${size}px` }}>{first}</div>
      {collapsed ? null : (
        <>
          <div className="split-handle" role="separator" aria-orientation={direction === 'row' ? 'vertical' : 'horizontal'} onPointerDown={onPointerDown} />
          <div className="split-pane" style={sized === 'second' ? { flex: `0 0 ${size}px` } : { flex: '1 1 0' }}>{second}</div>
        </>
      )}
    </div>
  );
}
