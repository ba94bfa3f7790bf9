// A popup's dismissal: while open, Escape or a mouse press outside the returned element's subtree closes it.
import { useEffect, useRef, type RefObject } from 'react';

export function useDismiss<T extends HTMLElement>(open: boolean, close: () => void): RefObject<T | null> {
  const root = useRef<T>(null);
  useEffect(() => {
    if (!open) return;
    const onEvent = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node)) close();
    };
    window.addEventListener('mousedown', onEvent);
    window.addEventListener('keydown', onEvent);
    return () => {
      window.removeEventListener('mousedown', onEvent);
      window.removeEventListener('keydown', onEvent);
    };
  }, [open, close]);
  return root;
}
