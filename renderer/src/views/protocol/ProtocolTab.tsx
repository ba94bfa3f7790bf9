// The detail's Protocol tab: which lens reads the connection (and a picker to choose another, kept
// in the session), then each packet of the selected message as a tree with its payload in Monaco, and
// its links: one click jumps between a request and its answers, with the time between them.
import { useApp } from '../app-context.js';
import { MonacoEditor } from '../common/MonacoEditor.js';
import { PacketTree } from './PacketTree.js';
import { useProtocol } from './use-protocol.js';
import type { LensChoice, PacketPlace, ProtocolPacketInfo } from '../../api/wire.js';

export function ProtocolTab({ connectionId, messageNumber }: { connectionId: number; messageNumber: number | undefined }) {
  const protocol = useProtocol();
  const state = protocol.lens(connectionId);
  const message = messageNumber === undefined ? null : protocol.message(connectionId, messageNumber);
  return (
    <div className="protocol-tab">
      <LensPicker connectionId={connectionId} />
      {messageNumber === undefined ? <p className="muted">This frame completes no data message.</p>
        : state && !state.lens ? <p className="muted">No lens reads this connection. Choose one above to read its messages as a protocol.</p>
        : message === undefined ? <p className="muted">Decoding…</p>
        : message === null ? <p className="muted">No protocol packet in message #{messageNumber}.</p>
        : (
          <>
            {message.pending ? <p className="muted">Message #{messageNumber} holds part of a packet that a later message completes.</p> : null}
            {message.problems?.map((p) => <p key={p} className="protocol-problem">⚠ {p}</p>)}
            {message.packets.map((packet, i) => <PacketView key={i} packet={packet} />)}
          </>
        )}
    </div>
  );
}

function LensPicker({ connectionId }: { connectionId: number }) {
  const { view } = useApp();
  const protocol = useProtocol();
  const state = protocol.lens(connectionId);
  if (!state) return <div className="lens-picker muted">Lens…</div>;
  const detected = state.scores[0];
  const choose = (lens: LensChoice) => protocol.setLens(connectionId, lens).catch((e: Error) => view.notify(e.message, 'error'));
  return (
    <div className="lens-picker">
      <label htmlFor="lens-choice">Lens</label>
      <select id="lens-choice" aria-label="Protocol lens" value={state.choice} onChange={(e) => void choose(e.target.value as LensChoice)}>
        <option value="auto">Auto{state.choice === 'auto' ? ` (${state.lens ?? 'none found'})` : ''}</option>
        <option value="none">None (raw)</option>
        {state.available.map((name) => <option key={name} value={name}>{name}</option>)}
      </select>
      {detected ? <span className="muted small">detected: {detected.name} ({Math.round(detected.score * 100)}%)</span> : null}
    </div>
  );
}

function PacketView({ packet }: { packet: ProtocolPacketInfo }) {
  const { name, type, summary, event, channel, id, data, fields } = packet;
  const tree: Record<string, unknown> = { name, type, ...(event !== undefined ? { event } : {}), ...(channel !== undefined ? { channel } : {}), ...(id !== undefined ? { id } : {}), ...(fields ? { fields } : {}), ...(data !== undefined ? { data } : {}) };
  return (
    <section className="protocol-packet" data-protocol-packet={summary}>
      <h4 className="protocol-summary"><span className="protocol-name">{name}</span> {summary}</h4>
      <PacketLinks packet={packet} />
      <div className="packet-tree" role="tree" aria-label={`Packet ${summary}`}><PacketTree name={type} value={tree} /></div>
      {data !== undefined ? <MonacoEditor value={JSON.stringify(data, null, 2)} language="json" readOnly ariaLabel="Packet payload" className="packet-payload" /> : null}
    </section>
  );
}

function PacketLinks({ packet }: { packet: ProtocolPacketInfo }) {
  const { view } = useApp();
  const jump = (place: PacketPlace) => {
    if (place.frame !== undefined) view.revealFrame(place.frame);
    else view.revealMessage(place.message);
  };
  const latency = packet.latencyMs === undefined ? '' : ` · ${packet.latencyMs} ms`;
  if (packet.request) {
    return <div className="protocol-links">Answers <button className="link-button" data-jump="request" onClick={() => jump(packet.request!)}>the request in message #{packet.request.message}</button>{latency}</div>;
  }
  if (packet.answers) {
    // Let go while waiting (too many requests were): an answer after that is not linked to it.
    const unfollowed = packet.unfollowed ? 'not followed after that: too many requests were waiting for answers' : '';
    if (packet.answers.length === 0) return <div className="protocol-links muted">{unfollowed ? `No answer linked (${unfollowed})` : 'No answer yet'}</div>;
    return (
      <div className="protocol-links">
        Answered by {packet.answers.map((a, i) => <button key={i} className="link-button" data-jump="answer" onClick={() => jump(a)}>message #{a.message}</button>)}{packet.moreAnswers ? ` and ${packet.moreAnswers} more` : ''}{latency ? ` · first after ${packet.latencyMs} ms` : ''}{unfollowed ? ` · ${unfollowed}` : ''}
      </div>
    );
  }
  return null;
}
