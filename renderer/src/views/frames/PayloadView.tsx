// The payload (or, for a data frame, its whole message: reassembled and decompressed) of the selected
// frame, as text, pretty JSON or a hex dump.
import { useState } from 'react';
import { Segmented } from '../common/Tabs.js';
import { ContentView } from './ContentView.js';
import type { FrameDetailView } from '../../model/frame-detail-store.js';
import { formatBytes } from '../../protocol/bytes.js';
import { count } from '../format.js';

type Source = 'message' | 'frame';

export function PayloadView({ detail }: { detail: FrameDetailView }) {
  const f = detail.frame;
  const message = detail.message;
  const [source, setSource] = useState<Source>('message');
  const useMessage = source === 'message' && detail.messageData !== undefined;
  const bytes = useMessage ? detail.messageData! : detail.payload;
  const details = useMessage && message
    ? ` · ${message.frames.length} frame${message.frames.length === 1 ? '' : 's'}${message.compressed ? ` · ${formatBytes(message.size)} inflated` : ''}${message.truncated ? ` · truncated: first ${count(detail.messageData!.length)} of ${count(message.size)} bytes kept` : ''}`
    : !useMessage && f.truncated ? ` · truncated: first ${count(f.storedLength)} of ${count(f.payloadLength)} bytes kept` : '';

  return (
    <ContentView
      bytes={bytes}
      opcode={useMessage ? message!.opcode : f.opcode}
      details={details}
      controls={message && (message.frames.length > 1 || message.compressed) ? (
        <Segmented<Source>
          label="Content"
          value={source}
          onChange={setSource}
          options={[
            { value: 'message', label: `Message #${message.number}${message.compressed ? ' (inflated)' : ''}` },
            { value: 'frame', label: 'This frame' },
          ]}
        />
      ) : null}
      notice={detail.unfinished ? <div className="info-line">This fragment's message has not finished (yet): showing this frame's payload.</div> : null}
    />
  );
}
