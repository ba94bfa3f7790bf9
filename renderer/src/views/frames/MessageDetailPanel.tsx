// The selected message of a connection listed by message (imported without frames): its content as
// text or pretty JSON (Monaco) or a hex dump, its flags and violations; copy as text, hex or base64.
import { useRef, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Icon } from '../common/Icon.js';
import { Tabs } from '../common/Tabs.js';
import { useFocusRequest } from '../common/use-focus-request.js';
import { OpcodeBadge } from './frame-cells.js';
import { ContentView } from './ContentView.js';
import { CopyMenu } from './CopyMenu.js';
import { CopyAsMenu } from './CopyAsMenu.js';
import { AnnotationEditor } from './AnnotationEditor.js';
import { snippetMessage } from '../../model/snippet-source.js';
import { HexLines } from './HexView.js';
import { ViolationList } from './ViolationList.js';
import { count, dateTime } from '../format.js';
import { opcodeBadge } from '../../protocol/opcodes.js';
import type { DetailTab } from '../../model/view-store.js';
import { proxyActionText } from './proxy-action.js';
import { WireTimes } from './WireTimes.js';
import { DecodeView } from '../payload/DecodeView.js';

const TABS: { id: DetailTab; label: string }[] = [
  { id: 'payload', label: 'Message' },
  { id: 'hex', label: 'Hex' },
  { id: 'decode', label: 'Decode' },
];

export function MessageDetailPanel() {
  const { messageDetail, view } = useApp();
  useStore(messageDetail);
  useStore(view);
  const panel = useRef<HTMLElement>(null);

  useFocusRequest(view, 'detail', panel);

  const detail = messageDetail.view;
  const close = () => view.setDetailOpen(false);
  // Escape closes the detail and gives the focus back to the list, where the arrow keys go on.
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    view.closeDetailToList();
  };
  if (!detail) {
    return (
      <aside ref={panel} className="frame-detail" tabIndex={-1} onKeyDown={onKeyDown} aria-label="Message detail">
        <div className="detail-head"><span className="muted">{messageDetail.error ? `Could not read message #${messageDetail.number}: ${messageDetail.error}` : 'Loading message…'}</span><span className="toolbar-spacer" /><button className="icon-button" onClick={close} aria-label="Close detail"><Icon name="close" /></button></div>
      </aside>
    );
  }
  const m = detail.message;
  // This panel has no header tab: the frame detail's choice of it shows the content here.
  const tab: DetailTab = view.detailTab === 'hex' || view.detailTab === 'decode' ? view.detailTab : 'payload';
  const facts = [
    m.compressed ? 'It travelled compressed (permessage-deflate); shown inflated.' : '',
    m.truncated ? `Only the first ${count(detail.data.length)} of its ${count(m.size)} bytes were stored.` : '',
    proxyActionText(m),
    m.rule ? `Rule: ${m.rule}.` : '',
  ].filter(Boolean);

  return (
    <aside ref={panel} className="frame-detail" tabIndex={-1} onKeyDown={onKeyDown} aria-label="Message detail" data-message-detail={m.number}>
      <div className="detail-head compact">
        <div className="detail-title" title={`Message #${m.number} · ${m.direction === 'send' ? 'client to server' : 'server to client'} · ${count(m.size)} bytes · ${dateTime(m.time)}`}>
          <strong>Message #{m.number}</strong>
          <span className={`dir-label dir-${m.direction}`}>{m.direction === 'send' ? '↑ client → server' : '↓ server → client'}</span>
          <OpcodeBadge badge={opcodeBadge(m.opcode)} />
          <span className="muted">{count(m.size)} B · {dateTime(m.time)}</span>
        </div>
        <div className="detail-actions">
          <CopyMenu bytes={detail.data} what="the message" />
          <CopyAsMenu connectionId={detail.connectionId} number={m.number} message={snippetMessage(m, detail.data)} />
          <button className="icon-button" onClick={close} aria-label="Close detail" title="Close (Esc)"><Icon name="close" /></button>
        </div>
      </div>

      <ViolationList codes={m.violations} />
      <AnnotationEditor connectionId={detail.connectionId} target="message" number={m.number} />
      <WireTimes time={m.time} arrivedAt={m.arrivedAt} />
      {facts.length > 0 ? <div className="info-line">{facts.join(' ')}</div> : null}

      <Tabs tabs={TABS} active={tab} onChange={(t) => view.setDetailTab(t)} className="detail-tabs" />
      <div className="detail-body">
        {tab === 'payload' ? (
          <ContentView bytes={detail.data} opcode={m.opcode} details={m.truncated ? ' · truncated' : ''} />
        ) : tab === 'decode' ? (
          <DecodeView bytes={detail.data} opcode={m.opcode} connectionId={detail.connectionId} />
        ) : (
          <div className="hex-view">
            <div className="sub-bar"><span className="muted">{count(detail.data.length)} bytes{m.truncated ? ` of ${count(m.size)} (truncated)` : ''}</span></div>
            <HexLines bytes={detail.data} />
          </div>
        )}
      </div>
    </aside>
  );
}
