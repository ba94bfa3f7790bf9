// The selected frame in full: header bit by bit, payload as text or JSON (Monaco), hex dump masked
// and unmasked, the close code, violations with their RFC sections, and the whole message for a
// fragment. Copy as text, hex or base64; resend as it was or edited.
import { useRef, type KeyboardEvent } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Icon } from '../common/Icon.js';
import { Tabs } from '../common/Tabs.js';
import { useFocusRequest } from '../common/use-focus-request.js';
import { OpcodeBadge } from './frame-cells.js';
import { CopyMenu } from './CopyMenu.js';
import { CopyAsMenu } from './CopyAsMenu.js';
import { AnnotationEditor } from './AnnotationEditor.js';
import { HeaderTable } from './HeaderTable.js';
import { HexView } from './HexView.js';
import { PayloadView } from './PayloadView.js';
import { ViolationList } from './ViolationList.js';
import { count, dateTime } from '../format.js';
import { describeCloseCode } from '../../protocol/close-codes.js';
import { opcodeBadge } from '../../protocol/opcodes.js';
import type { DetailTab } from '../../model/view-store.js';
import { proxyActionText } from './proxy-action.js';
import { WireTimes } from './WireTimes.js';
import { ProtocolTab } from '../protocol/ProtocolTab.js';
import { DecodeView } from '../payload/DecodeView.js';

export function FrameDetailPanel() {
  const app = useApp();
  const { frameDetail, view, connections, composer } = app;
  useStore(frameDetail);
  useStore(view);
  useStore(connections.selection);
  const panel = useRef<HTMLDivElement>(null);

  useFocusRequest(view, 'detail', panel);

  const detail = frameDetail.view;
  const close = () => view.setDetailOpen(false);
  // Escape closes the detail and gives the focus back to the list, where the arrow keys go on.
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    view.closeDetailToList();
  };
  if (!detail) {
    return (
      <aside ref={panel} className="frame-detail" tabIndex={-1} onKeyDown={onKeyDown} aria-label="Frame detail">
        <div className="detail-head"><span className="muted">{frameDetail.error ? `Could not read frame #${frameDetail.number}: ${frameDetail.error}` : 'Loading frame…'}</span><span className="toolbar-spacer" /><button className="icon-button" onClick={close} aria-label="Close detail"><Icon name="close" /></button></div>
      </aside>
    );
  }
  const f = detail.frame;
  const row = connections.get(f.connectionId);
  const live = row !== undefined && (row.state === 'open' || row.state === 'closing');
  const content = detail.messageData ?? detail.payload;
  const message = detail.message;

  const resend = () => {
    if (!message) return;
    app.client.request('resend', { connectionId: f.connectionId, messageNumber: message.number })
      .then(() => view.notify(`Message #${message.number} sent again`), (e: Error) => view.notify(e.message, 'error'));
  };

  const editAndResend = () => {
    if (!message) return;
    composer.loadForResend({ connectionId: f.connectionId, messageNumber: message.number, direction: f.direction, opcode: message.opcode === 2 ? 2 : 1, dataBase64: message.dataBase64 });
    view.setTab('composer');
  };

  const tabs: { id: DetailTab; label: string }[] = [
    { id: 'payload', label: message && message.frames.length > 1 ? 'Message' : 'Payload' },
    { id: 'header', label: 'Header' },
    { id: 'hex', label: 'Hex' },
    { id: 'protocol', label: 'Protocol' },
    { id: 'decode', label: 'Decode' },
  ];

  return (
    <aside ref={panel} className="frame-detail" tabIndex={-1} onKeyDown={onKeyDown} aria-label="Frame detail" data-frame-detail={f.number}>
      <div className="detail-head">
        <div className="detail-title">
          <strong>Frame #{f.number}</strong>
          <span className={`dir-label dir-${f.direction}`}>{f.direction === 'send' ? '↑ client → server' : '↓ server → client'}</span>
          <OpcodeBadge badge={opcodeBadge(f.opcode)} />
          <span className="muted">{message?.compressed && message.frames.at(-1) === f.number ? `${count(f.payloadLength)} B wire / ${count(message.size)} B inflated` : `${count(f.payloadLength)} B`} · {dateTime(f.time)}</span>
        </div>
        <div className="detail-actions">
          <CopyMenu bytes={content} what={message ? 'the message' : 'the payload'} />
          {message ? <CopyAsMenu connectionId={f.connectionId} number={message.number} message={{ direction: f.direction, opcode: message.opcode, data: content, time: f.time, injected: f.injected, edited: f.edited, dropped: f.dropped }} /> : null}
          <button className="button" disabled={!message || !live} onClick={resend} title={message ? (live ? 'Send this message again on its connection' : 'The connection is not open') : 'Only data messages can be resent'}>
            <Icon name="replay" size={14} /> Resend
          </button>
          <button className="button" disabled={!message || !live} onClick={editAndResend} title="Open in the composer to edit, then send">
            <Icon name="edit" size={14} /> Edit &amp; resend
          </button>
          <button className="icon-button" onClick={close} aria-label="Close detail" title="Close (Esc)"><Icon name="close" /></button>
        </div>
      </div>

      <ViolationList codes={[...f.violations, ...(message?.violations ?? [])]} />
      <AnnotationEditor connectionId={f.connectionId} target="frame" number={f.number} />
      <WireTimes time={f.time} arrivedAt={f.arrivedAt} />
      {f.opcode === 8 ? <CloseSummary code={f.closeCode} reason={f.closeReason} /> : null}
      {f.injected || f.edited || f.dropped || f.rule ? (
        <div className="info-line">
          {proxyActionText(f)}{f.rule ? ` Rule: ${f.rule}.` : ''}
        </div>
      ) : null}

      <Tabs tabs={tabs} active={view.detailTab} onChange={(t) => view.setDetailTab(t)} className="detail-tabs" />
      <div className="detail-body">
        {view.detailTab === 'payload' ? <PayloadView detail={detail} /> : view.detailTab === 'header' ? <HeaderTable detail={detail} />
          : view.detailTab === 'protocol' ? <ProtocolTab connectionId={f.connectionId} messageNumber={message?.frames.at(-1) === f.number ? message.number : undefined} />
          : view.detailTab === 'decode' ? <DecodeView bytes={content} opcode={message?.opcode ?? f.opcode} connectionId={f.connectionId} /> : <HexView detail={detail} />}
      </div>
    </aside>
  );
}

function CloseSummary({ code, reason }: { code: number | undefined; reason: string | undefined }) {
  if (code === undefined) return <div className="close-summary"><strong>Close frame without a status code</strong> <span className="muted">(the peer reports 1005 No Status Rcvd)</span></div>;
  const info = describeCloseCode(code);
  return (
    <div className="close-summary" data-close-code={code}>
      <div><code>{code}</code> <strong>{info.name}</strong>{reason ? <> · reason “{reason}”</> : null}</div>
      <div className="muted">{info.meaning}</div>
    </div>
  );
}
