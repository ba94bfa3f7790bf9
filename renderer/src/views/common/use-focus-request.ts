// Focus asked for by a counter in a store (Ctrl+F bumps the search's, Enter the detail's): the
// element takes focus when the counter moves while it is shown, never merely because it mounted.
// A view remounts when the selected connection changes; focusing on mount would pull the focus
// out of the list the user is moving through with the arrow keys.
import { useEffect, useRef, type RefObject } from 'react';

export function useFocusRequest(request: number, target: RefObject<{ focus(): void } | null>, after?: () => void): void {
  const seen = useRef(request);
  useEffect(() => {
    if (request === seen.current) return;
    seen.current = request;
    target.current?.focus();
    after?.();
  }, [request]);
}
