// Subscribes a component to a store: it re-renders when the store's version moves.
import { useSyncExternalStore } from 'react';
import type { Observable } from '../model/observable.js';

export function useStore<S extends Observable>(store: S): S {
  useSyncExternalStore(store.subscribe, store.getVersion);
  return store;
}
