// The app model, handed to every view through React context (built once in main.tsx).
import { createContext, useContext } from 'react';
import type { AppModel } from '../model/app-model.js';

export const AppContext = createContext<AppModel | null>(null);

export function useApp(): AppModel {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}
