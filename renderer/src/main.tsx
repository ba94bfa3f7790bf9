// The UI's entry: builds the app model (the one composition root) and renders the window.
import { createRoot } from 'react-dom/client';
import { ControlClient } from './api/control-client.js';
import { AppModel } from './model/app-model.js';
import { App } from './views/App.js';
import { AppContext } from './views/app-context.js';
import './styles/app.css';

const app = new AppModel(ControlClient.forPage(window.location), window.localStorage, window.matchMedia('(prefers-color-scheme: dark)').matches);
// The theme is applied as the setting changes, before any view redraws (the rate plot reads its colours).
const applyTheme = () => (document.documentElement.dataset.theme = app.settings.theme);
app.settings.subscribe(applyTheme);
applyTheme();
// For the end-to-end tests and the bench: the model, to wait on its stores' `initialized` promises.
(window as unknown as { framescope: AppModel }).framescope = app;

createRoot(document.getElementById('root')!).render(
  <AppContext.Provider value={app}>
    <App />
  </AppContext.Provider>,
);
