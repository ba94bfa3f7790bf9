// The mocks running: each one's address (what a client connects to), what it serves, how many client
// messages it did not expect, and a Stop button. Shown under the toolbar while any mock runs.
import { useEffect } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { copyText } from '../clipboard.js';
import { mocksOf } from './mocks-store.js';
import './mocks.css';

/** How often the list is read again while mocks run (their counts change as clients use them). */
const REFRESH_MS = 2_000;

export function MocksBar() {
  const app = useApp();
  const mocks = useStore(mocksOf(app));
  const running = mocks.mocks.length > 0;

  useEffect(() => {
    // Mocks outlive a reload of the page: read what runs once, then while any run.
    void mocks.refresh().catch(() => {});
  }, [mocks]);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void mocks.refresh().catch(() => {}), REFRESH_MS);
    return () => clearInterval(timer);
  }, [mocks, running]);

  if (!running) return null;
  return (
    <div className="mocks-bar" role="region" aria-label="Mocks">
      {mocks.mocks.map((mock) => (
        <div key={mock.id} className="mock-item" aria-label={`Mock ${mock.id}`}>
          <span>Mock of #{mock.source.connectionId}{mock.source.session !== app.session.session?.name ? ` (${mock.source.session})` : ''} at</span>
          <code className="mock-address" aria-label="Mock address">{mock.url}</code>
          <span className="muted">{mock.connectionIds.length} connection{mock.connectionIds.length === 1 ? '' : 's'}</span>
          {mock.unexpectedCount > 0
            ? <span className="mock-unexpected" title={mock.unexpected.map((u) => u.preview).join('\n')}>{mock.unexpectedCount} unexpected</span>
            : null}
          <button className="button" onClick={() => void copyText(mock.url).then(() => app.view.notify('Mock address copied'), (e: Error) => app.view.notify(e.message, 'error'))}>Copy</button>
          <button className="button" onClick={() => void mocks.stop(mock.id).catch((e: Error) => app.view.notify(e.message, 'error'))}>Stop</button>
        </div>
      ))}
    </div>
  );
}
