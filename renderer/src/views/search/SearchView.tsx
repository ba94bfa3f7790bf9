// Search: a text or pattern over every connection of the browsed session or of every saved
// session, results streaming in as the engine finds them; saved filters kept in settings.json.
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { VirtualList, type VirtualListHandle } from '../common/VirtualList.js';
import { clockTime } from '../format.js';
import type { SessionSearchHit } from '../../api/wire.js';
import { openHit } from './search-actions.js';
import './search.css';

export function SearchView() {
  const app = useApp();
  const { sessionsSearch: search, engineSettings, session, view } = app;
  useStore(search);
  useStore(engineSettings);
  useStore(session);
  const [filterName, setFilterName] = useState('');
  const [chosen, setChosen] = useState('');
  const browsed = session.session?.name ?? '';
  const saved = engineSettings.state?.effective.savedFilters ?? [];
  const form = search.form;
  const [selected, setSelected] = useState(-1);
  const list = useRef<VirtualListHandle>(null);
  const open = (hit: SessionSearchHit) => void openHit(app, hit).catch((e: Error) => view.notify(e.message, 'error'));
  // Arrow keys move through the results, Enter opens one.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' && search.hits[selected]) {
      e.preventDefault();
      open(search.hits[selected]);
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const next = Math.max(0, Math.min(search.hits.length - 1, e.key === 'ArrowDown' ? selected + 1 : selected - 1));
    setSelected(next);
    list.current?.scrollToIndex(next);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSelected(-1);
    void search.start(browsed);
  };
  const saveFilter = () => {
    const name = filterName.trim();
    if (!name) return;
    const savedFilters = [...saved.filter((f) => f.name !== name), { name, filter: search.filter() }];
    engineSettings.save({ savedFilters }).then(
      () => {
        setChosen(name);
        setFilterName('');
        view.notify(`Saved the filter "${name}"`);
      },
      (error: Error) => view.notify(error.message, 'error'),
    );
  };
  const deleteFilter = () => {
    engineSettings.save({ savedFilters: saved.filter((f) => f.name !== chosen) }).then(
      () => setChosen(''),
      (error: Error) => view.notify(error.message, 'error'),
    );
  };
  const choose = (name: string) => {
    setChosen(name);
    const filter = saved.find((f) => f.name === name)?.filter;
    if (filter) search.load(filter);
  };

  return (
    <div className="workspace-page search-view" data-view="search">
      <div className="page-head">
        <h2>Search</h2>
        <span className="muted">Every connection of this session, or of every saved session. Double-click a result to open it.</span>
      </div>
      <form className="sessions-search-form" onSubmit={submit}>
        <input aria-label="Search text" className="search-text" placeholder={form.regex ? 'Regular expression' : 'Text'} value={form.text} onChange={(e) => search.setForm({ text: e.target.value })} />
        <label className="check-label"><input type="checkbox" checked={form.regex} onChange={(e) => search.setForm({ regex: e.target.checked })} />Regex</label>
        <label className="check-label"><input type="checkbox" checked={form.caseSensitive} onChange={(e) => search.setForm({ caseSensitive: e.target.checked })} />Match case</label>
        <select aria-label="Direction" value={form.direction} onChange={(e) => search.setForm({ direction: e.target.value as '' | 'send' | 'receive' })}>
          <option value="">Both directions</option>
          <option value="send">Sent (client → server)</option>
          <option value="receive">Received (server → client)</option>
        </select>
        <select aria-label="Scope" value={search.scope} onChange={(e) => search.setScope(e.target.value as 'browsed' | 'all')}>
          <option value="browsed">{`This session (${browsed})`}</option>
          <option value="all">All saved sessions</option>
        </select>
        <button className="button primary" type="submit" disabled={!form.text && !form.direction}>Search</button>
        {search.running ? <button className="button" type="button" onClick={() => void search.cancel()}>Cancel</button> : null}
      </form>
      <div className="saved-filters">
        <select aria-label="Saved filters" value={chosen} onChange={(e) => choose(e.target.value)}>
          <option value="">{saved.length ? 'Saved filters…' : 'No saved filters'}</option>
          {saved.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
        </select>
        <button className="button" type="button" disabled={!chosen} onClick={deleteFilter}>Delete filter</button>
        <input aria-label="Filter name" placeholder="Name for this filter" value={filterName} onChange={(e) => setFilterName(e.target.value)} />
        <button className="button" type="button" disabled={!filterName.trim()} onClick={saveFilter}>Save filter</button>
      </div>
      {search.error ? <div className="error-text" role="alert">{search.error}</div> : null}
      <Status />
      <div className="table sessions-hits" role="grid" aria-label="Search results">
        <div className="thead sessions-hit-row" role="row">
          <span className="th">Session</span><span className="th">Connection</span><span className="th" /><span className="th">Message</span><span className="th">Time</span><span className="th">Match</span>
        </div>
        <VirtualList
          count={search.hits.length}
          rowHeight={24}
          ref={list}
          onKeyDown={onKeyDown}
          ariaLabel="Search result rows"
          empty={<span className="muted">{search.running ? 'Searching…' : search.done ? 'Nothing matched.' : 'Results show here as they are found.'}</span>}
          renderRow={(i) => <HitRow hit={search.hits[i]!} index={i} selected={i === selected} onSelect={() => setSelected(i)} onOpen={open} />}
        />
      </div>
    </div>
  );
}

function Status() {
  const { sessionsSearch: search } = useApp();
  const done = search.done;
  if (search.running) return <div className="filter-status" role="status">{search.hits.length} found so far…</div>;
  if (!done) return null;
  return (
    <div className="filter-status" role="status">
      {`${done.hits} ${done.hits === 1 ? 'match' : 'matches'} in ${done.sessions} ${done.sessions === 1 ? 'session' : 'sessions'} (${done.scanned} messages and frames searched)`}
      {done.limited ? ' — stopped at the limit; narrow the search to see the rest' : ''}
      {done.cancelled ? ' — cancelled' : ''}
      {done.problems.map((p) => <div key={p} className="error-text">{p}</div>)}
    </div>
  );
}

function HitRow({ hit, index, selected, onSelect, onOpen }: { hit: SessionSearchHit; index: number; selected: boolean; onSelect: () => void; onOpen: (hit: SessionSearchHit) => void }) {
  return (
    <div className={`tr sessions-hit-row ${selected ? 'selected' : ''}`} role="row" aria-selected={selected} data-hit={index} onMouseDown={onSelect} onDoubleClick={() => onOpen(hit)}>
      <span className="td">{hit.session}</span>
      <span className="td" title={hit.url}>{`#${hit.connectionId} ${hit.url}`}</span>
      <span className={`td dir-${hit.direction}`}>{hit.direction === 'send' ? '↑' : '↓'}</span>
      <span className="td">{hit.message ?? hit.frame}</span>
      <span className="td">{clockTime(hit.time)}</span>
      <span className="td hit-snippet" title={hit.snippet}>{hit.snippet}</span>
    </div>
  );
}
