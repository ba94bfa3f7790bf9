// Filters of the frame list (direction, opcode, violation: queryFrames filters) or of the message
// list of a connection recorded without frames, the payload search (text or regex, streamed hits),
// time format, the rate plot switch and the live tail.
import { TIME_FORMAT_OPTIONS } from '../time-format.js';
import type { TimeFormat } from '../../model/settings-store.js';
import { PinnedMenu } from './PinnedMenu.js';
import { ColumnChooser } from './ColumnChooser.js';
import { useRef, useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore, useStoreValue } from '../use-store.js';
import { Segmented } from '../common/Tabs.js';
import { Icon } from '../common/Icon.js';
import { useFocusRequest } from '../common/use-focus-request.js';
import { count } from '../format.js';
import { DIRECTIONS, type FrameListFilter } from '../../model/frames-store.js';
import { FILTER_OPCODES } from '../../protocol/opcodes.js';
import { VIOLATION_CODES } from '../../protocol/violation-catalogue.js';
import type { Direction } from '../../api/wire.js';
import { MAX_HITS } from '../../model/search-store.js';

/** Typing pauses this long before the search starts, ms (Enter starts it at once). */
const SEARCH_DEBOUNCE_MS = 300;

export function FrameFilterBar() {
  const { frames, messages, search, settings, view, connections } = useApp();
  // The list's filter and connection (they change with its generation), not each batch of live rows:
  // the count and the Live button below follow those on their own.
  useStoreValue(frames, (f) => f.generation);
  useStore(connections.selection);
  useStore(messages);
  useStore(search);
  useStore(settings);
  useStore(view);
  const [text, setText] = useState(search.query.text);
  const [regex, setRegex] = useState(search.query.regex);
  const [caseSensitive, setCaseSensitive] = useState(search.query.caseSensitive);
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const connectionId = frames.connectionId;
  const row = connections.get(connectionId);
  const live = row !== undefined && row.state !== 'closed' && row.state !== 'failed';
  // A connection recorded without frames is listed by message; the same filters apply to messages.
  const byMessage = messages.connectionId !== undefined;
  const list = byMessage ? messages : frames;
  const unit = byMessage ? 'message' : 'frame';

  useFocusRequest(view, 'search', input, () => input.current?.select());

  const run = (next: { text?: string; regex?: boolean; caseSensitive?: boolean; filter?: FrameListFilter } = {}) => {
    clearTimeout(timer.current);
    if (connectionId === undefined) return;
    void search.start(
      connectionId,
      { text: next.text ?? text, regex: next.regex ?? regex, caseSensitive: next.caseSensitive ?? caseSensitive },
      next.filter ?? list.filter,
    );
  };

  const setFilter = (changes: Partial<FrameListFilter>) => {
    const filter = { ...list.filter, ...changes };
    list.setFilter(filter);
    if (search.active) run({ filter });
  };

  return (
    <div className="filter-bar">
      <Segmented<string>
        label="Direction"
        value={list.filter.direction ?? 'all'}
        onChange={(v) => setFilter({ direction: v === 'all' ? undefined : (v as Direction) })}
        options={DIRECTIONS.map((d) => ({ value: d.value ?? 'all', label: d.label }))}
      />
      <select
        aria-label="Opcode"
        value={list.filter.opcode ?? ''}
        onChange={(e) => setFilter({ opcode: e.target.value === '' ? undefined : Number(e.target.value) })}
      >
        <option value="">All opcodes</option>
        {(byMessage ? FILTER_OPCODES.filter((o) => o.value === 1 || o.value === 2) : FILTER_OPCODES).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <select
        aria-label="Violations"
        value={list.filter.violation ?? ''}
        onChange={(e) => setFilter({ violation: e.target.value === '' ? undefined : e.target.value })}
      >
        <option value="">Any {unit}</option>
        <option value="any">With a violation</option>
        {VIOLATION_CODES.map((code) => <option key={code} value={code}>{code}</option>)}
      </select>

      <div className={`search-input search-payloads ${search.error ? 'invalid' : ''}`}>
        <Icon name="search" size={14} />
        <input
          ref={input}
          type="search"
          placeholder={regex ? 'Search payloads (regular expression)' : 'Search payloads'}
          aria-label="Search payloads"
          value={text}
          spellCheck={false}
          onChange={(e) => {
            setText(e.target.value);
            clearTimeout(timer.current);
            const value = e.target.value;
            timer.current = setTimeout(() => run({ text: value }), SEARCH_DEBOUNCE_MS);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') run();
            if (e.key === 'Escape') {
              setText('');
              run({ text: '' });
            }
          }}
        />
        <button className={`search-flag ${regex ? 'on' : ''}`} title="Regular expression" aria-pressed={regex} onClick={() => { setRegex(!regex); if (text) run({ regex: !regex }); }}>.*</button>
        <button className={`search-flag ${caseSensitive ? 'on' : ''}`} title="Match case" aria-pressed={caseSensitive} onClick={() => { setCaseSensitive(!caseSensitive); if (text) run({ caseSensitive: !caseSensitive }); }}>Aa</button>
      </div>

      <FilterStatus />

      <div className="filter-bar-end">
        <PinnedMenu />
        <ColumnChooser />
        <Segmented<string>
          label="Time"
          value={settings.timeFormat}
          onChange={(v) => settings.setTimeFormat(v as TimeFormat)}
          options={TIME_FORMAT_OPTIONS}
        />
        <button className={`icon-button ${settings.ratePlot && !byMessage ? 'on' : ''}`} aria-pressed={settings.ratePlot} disabled={byMessage} title={byMessage ? 'The rate plot is drawn from wire frames; this connection has none' : 'Rate plot'} onClick={() => settings.setRatePlot(!settings.ratePlot)}>
          <Icon name="chart" />
        </button>
        <FollowToggle live={live} />
      </div>
    </div>
  );
}

/** How many rows the list has (or the search's hits): moves with every live batch. */
function FilterStatus() {
  const { frames, messages, search } = useApp();
  useStore(frames);
  useStore(messages);
  useStore(search);
  const byMessage = messages.connectionId !== undefined;
  const list = byMessage ? messages : frames;
  const unit = byMessage ? 'message' : 'frame';
  return (
    <span className="filter-status" aria-live="polite">
      {search.active
        ? search.error
          ? <span className="error-text">{search.error}</span>
          : <>{count(search.hits.length)}{search.capped ? '+' : ''} hit{search.hits.length === 1 ? '' : 's'}{search.running ? ' · searching…' : search.capped ? ` · stopped at ${count(MAX_HITS)}` : ` in ${count(search.scanned)} scanned`}</>
        : <>{count(list.total)} {unit}{list.total === 1 ? '' : 's'}{list.filtered ? ' match' : ''}{byMessage && messages.filtering ? ' · filtering…' : ''}</>}
    </span>
  );
}

/** Live or paused: whether the list follows its newest frame. */
function FollowToggle({ live }: { live: boolean }) {
  const { frames } = useApp();
  const follow = useStoreValue(frames, (f) => f.follow);
  return (
    <button
      className={`button toggle ${follow && live ? 'toggle-live' : ''}`}
      aria-pressed={follow}
      disabled={!live}
      title={follow ? 'Following new frames: click to pause' : 'Paused: click to follow new frames'}
      onClick={() => frames.setFollow(!follow)}
    >
      <Icon name={follow ? 'follow' : 'pause'} size={14} />
      {follow ? 'Live' : 'Paused'}
    </button>
  );
}
