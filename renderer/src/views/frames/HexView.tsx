// The hex dump: offsets, hex and ASCII; the payload unmasked as stored, or the wire form (header and
// the payload masked again with the frame's key, RFC 6455 §5.3), virtualized for large payloads.
import { useMemo, useState } from 'react';
import { VirtualList } from '../common/VirtualList.js';
import { Segmented } from '../common/Tabs.js';
import type { FrameDetailView } from '../../model/frame-detail-store.js';
import { applyMask } from '../../protocol/bytes.js';
import { hexDumpLine, lineCount } from '../../protocol/hex-dump.js';

type HexSource = 'payload' | 'wire' | 'message';

export function HexView({ detail }: { detail: FrameDetailView }) {
  const f = detail.frame;
  const [source, setSource] = useState<HexSource>('payload');
  const bytes = useMemo(() => source === 'message' && detail.messageData
    ? detail.messageData
    : source === 'wire'
      ? concat(detail.header, f.masked && f.maskKey ? applyMask(detail.payload, f.maskKey) : detail.payload)
      : detail.payload, [source, detail, f]);
  const headerLength = source === 'wire' ? detail.header.length : 0;
  const options: { value: HexSource; label: string; title?: string }[] = [
    { value: 'payload', label: 'Payload (unmasked)' },
    { value: 'wire', label: f.masked ? 'Wire (masked)' : 'Wire', title: 'The header and the payload as they crossed the wire' },
  ];
  if (detail.messageData && (detail.message!.frames.length > 1 || detail.message!.compressed)) options.push({ value: 'message', label: detail.message!.compressed ? 'Message (inflated)' : 'Message' });

  return (
    <div className="hex-view">
      <div className="sub-bar">
        <Segmented<HexSource> label="Bytes" value={source} onChange={setSource} options={options} />
        <span className="muted">{bytes.length} bytes{source === 'wire' ? ` · header ${headerLength}` : ''}{f.masked && f.maskKey ? ` · key ${f.maskKey}` : ''}{f.truncated && source !== 'message' ? ' · stored payload truncated' : ''}</span>
      </div>
      <HexLines bytes={bytes} headerLength={headerLength} />
    </div>
  );
}

/** The dump itself, virtualized: offsets, hex (header bytes marked) and ASCII. */
export function HexLines({ bytes, headerLength = 0 }: { bytes: Uint8Array; headerLength?: number }) {
  return (
    <VirtualList
      count={lineCount(bytes.length)}
      rowHeight={18}
      className="hex-lines"
      ariaLabel="Hex dump"
      empty={<div className="empty-state"><p>Empty payload.</p></div>}
      renderRow={(i) => {
        const line = hexDumpLine(bytes, i);
        const start = i * 16;
        return (
          <div className="hex-line" data-hex-line={i}>
            <span className="hex-offset">{line.offset}</span>
            <span className="hex-bytes">{start < headerLength ? <HeaderHighlight hex={line.hex} headerBytes={headerLength - start} /> : line.hex}</span>
            <span className="hex-ascii">{line.ascii}</span>
          </div>
        );
      }}
    />
  );
}

/** Marks the header's bytes at the start of a line. */
function HeaderHighlight({ hex, headerBytes }: { hex: string; headerBytes: number }) {
  const n = Math.min(16, headerBytes);
  // Each byte takes 3 characters, plus one extra space after the 8th.
  const cut = n * 3 + (n > 8 ? 1 : 0);
  return <><span className="hex-header">{hex.slice(0, cut)}</span>{hex.slice(cut)}</>;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
