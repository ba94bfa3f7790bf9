// The message list of a connection recorded without wire frames (a HAR from Chrome, HTTP Toolkit,
// mitmproxy or Playwright keeps data messages only): one row per message, in the same traffic list
// as the frame timeline, with the same keys (arrows move, Enter opens the detail).
import type { TimeFormat } from '../../model/settings-store.js';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { count } from '../format.js';
import { LeadHeads, RowLead, RowNotes } from './frame-cells.js';
import { RowMarks } from './AnnotationEditor.js';
import { TrafficList } from './TrafficList.js';
import type { MessageRow } from '../../model/message-row.js';

export function MessageList() {
  const { messages, messageDetail, view, settings, connections } = useApp();
  useStore(messages);
  useStore(messageDetail);
  useStore(settings);
  useStore(view);
  const origin = connections.get(messages.connectionId!)?.startedAt ?? 0;

  return (
    <div className="message-list">
      <div className="info-line messages-banner" data-testid="messages-only">
        Recorded without wire frames (its HAR keeps data messages only): listed by message. Header bits, masking and fragmentation are unknown.
      </div>
      <div className="table frames-table messages-table">
        <div className="thead" role="row">
          <LeadHeads format={settings.timeFormat} />
          <span className="th num" title="Size of the (decompressed) data">Size</span>
          <span className="th">Data</span>
          <span className="th" title="Compression, truncation, violations and proxy marks">Flags</span>
        </div>
        <TrafficList<MessageRow>
          rows={messages}
          selection={messageDetail}
          reveal="message"
          // The filtered list is complete once the engine's search has listed it.
          locateAfterFilter={(number) => messages.initialized.then(() => messages.locate(number))}
          numberAttribute="data-message"
          renderCells={(row) => <MessageCells row={row} origin={origin} format={settings.timeFormat} connectionId={messages.connectionId!} />}
          ariaLabel="Messages"
          empty={<div className="empty-state"><p>{messages.filtering ? 'Filtering…' : messages.filtered ? 'No message matches the filter.' : 'No messages.'}</p></div>}
        />
      </div>
    </div>
  );
}

function MessageCells({ row, origin, format, connectionId }: { row: MessageRow; origin: number; format: TimeFormat; connectionId: number }) {
  return (
    <>
      <RowLead row={row} origin={origin} format={format} />
      <span className="td num">{count(row.size)}</span>
      <span className={`td preview ${row.previewIsHex ? 'hex' : ''}`}>{row.preview}{row.truncated || row.size > 64 ? <span className="muted"> …</span> : null}</span>
      <RowNotes row={row}>
        <RowMarks connectionId={connectionId} target="message" number={row.number} />
        {row.compressed ? <span className="mark mark-inflated" title="Sent compressed (permessage-deflate, RFC 7692); size and data are inflated">deflate</span> : null}
        {row.truncated ? <span className="mark mark-truncated" title="Only the start of the data was stored">truncated</span> : null}
      </RowNotes>
    </>
  );
}
