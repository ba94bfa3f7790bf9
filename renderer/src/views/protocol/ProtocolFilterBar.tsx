// Filters a connection's messages by protocol fields (`socket.io.event:message`, `mqtt.topic:sensors/#`,
// `graphql.operation:OnChat`, `proto.type:ACK`): the engine scans its messages through the lens and the
// hits list here as they come, each a click away from its frame.
import { useState } from 'react';
import { useApp } from '../app-context.js';
import { useProtocol } from './use-protocol.js';

export function ProtocolFilterBar({ connectionId }: { connectionId: number }) {
  const { view } = useApp();
  const protocol = useProtocol();
  const [text, setText] = useState('');
  const state = protocol.lens(connectionId);
  if (!state?.lens) return null;
  const filter = protocol.filter?.connectionId === connectionId ? protocol.filter : undefined;
  const run = () => (text.trim() === '' ? protocol.clearFilter() : void protocol.runFilter(connectionId, text.trim()));
  return (
    <div className="protocol-filter">
      <div className="protocol-filter-row">
        <input
          aria-label="Protocol filter"
          placeholder={`Protocol filter, e.g. ${state.lens === 'socket.io' ? 'socket.io.event:message' : state.lens === 'mqtt' ? 'mqtt.topic:sensors/#' : 'proto.type:' }`}
          value={text}
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') run(); if (e.key === 'Escape') { setText(''); protocol.clearFilter(); } }}
        />
        <button className="button" onClick={run}>Filter</button>
        {filter ? (
          <span className="muted small" data-protocol-hits={filter.hits.length}>
            {filter.running ? `Filtering…${filter.next !== undefined ? ` (${filter.next} of ${filter.total} messages read)` : ''}` : filter.error ? <span className="protocol-problem">{filter.error}</span> : `${filter.hits.length}${filter.next !== undefined ? '+' : ''} of ${filter.total} messages${filter.firstAnswerMs !== undefined ? ` · first hits in ${Math.round(filter.firstAnswerMs)} ms` : ''}`}
          </span>
        ) : null}
        {filter ? <button className="button" onClick={() => { setText(''); protocol.clearFilter(); }}>Clear</button> : null}
      </div>
      {filter && filter.hits.length > 0 ? (
        <ul className="protocol-hits" aria-label="Protocol filter hits">
          {filter.hits.map((hit) => (
            <li key={hit.message}>
              <button className="link-button" data-hit-message={hit.message} onClick={() => (hit.frame !== undefined ? view.revealFrame(hit.frame) : view.revealMessage(hit.message))}>
                <span className="muted">#{hit.message}</span> {hit.summary}
              </button>
            </li>
          ))}
          {filter.next !== undefined ? <li><button className="button" onClick={() => void protocol.moreHits()}>More</button></li> : null}
        </ul>
      ) : null}
    </div>
  );
}
