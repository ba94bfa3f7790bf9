// Focus asked for through the view store (Ctrl+F: the search box; Enter: the detail; Escape in the
// detail: the list): the element named takes it when it is shown, once. A view that mounts later
// (the frames tab remounts for each selected connection) does not take it again, so moving through
// the connection list with the arrow keys never pulls the focus into the search box.
import { useEffect, type RefObject } from 'react';
import type { FocusTarget, ViewStore } from '../../model/view-store.js';

export function useFocusRequest(view: ViewStore, target: FocusTarget, element: RefObject<{ focus(): void } | null>, after?: () => void): void {
  const seq = view.focusRequest?.seq;
  useEffect(() => {
    if (!element.current || !view.takeFocus(target)) return;
    element.current.focus();
    after?.();
  }, [seq]);
}
