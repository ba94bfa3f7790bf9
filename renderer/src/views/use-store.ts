// Subscribes a component to a store: it re-renders when the store's version moves, or (useStoreValue)
// only when the one value it reads of a busy store changes.
import { useSyncExternalStore } from 'react';
import type { Observable } from '../model/observable.js';

export function useStore<S extends Observable>(store: S): S {
  useSyncExternalStore(store.subscribe, store.getVersion);
  return store;
}

/**
 * Re-renders when `select(store)` changes (compared with Object.is: a number, a string, the same
 * object), not on every change of the store: a view of a live list that reads only which connection
 * it shows is not rendered again for each batch of rows.
 */
export function useStoreValue<S extends Observable, T>(store: S, select: (store: S) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store));
}
