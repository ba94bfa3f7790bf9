// The frame header bit by bit: the first two bytes as a bit diagram (as RFC 6455 §5.2 draws them),
// then every field with its bits, value and meaning, from the exact wire bytes.
import type { FrameDetailView } from '../../model/frame-detail-store.js';
import { describeLengthForm, parseHeaderFields } from '../../protocol/header-fields.js';
import { bytesToHex } from '../../protocol/bytes.js';
import { count } from '../format.js';

const DIAGRAM = ['FIN', 'RSV1', 'RSV2', 'RSV3', 'op', 'op', 'op', 'op', 'MASK', 'len', 'len', 'len', 'len', 'len', 'len', 'len'];

export function HeaderTable({ detail }: { detail: FrameDetailView }) {
  const parsed = parseHeaderFields(detail.header);
  const f = detail.frame;
  const bits = Array.from(detail.header.subarray(0, 2), (b) => b.toString(2).padStart(8, '0')).join('');
  return (
    <div className="header-view">
      <div className="bit-diagram" aria-label="First two header bytes, bit by bit">
        {DIAGRAM.map((label, i) => (
          <div key={i} className={`bit bit-${label.toLowerCase()} ${bits[i] === '1' ? 'one' : ''}`} title={`${label} bit ${i}`}>
            <span className="bit-value">{bits[i] ?? ''}</span>
            <span className="bit-label">{label}</span>
          </div>
        ))}
      </div>
      <table className="kv-table header-table">
        <thead>
          <tr><th>Field</th><th>Bits</th><th>Value</th><th>Meaning</th></tr>
        </thead>
        <tbody>
          {parsed.fields.map((field) => (
            <tr key={field.name} data-field={field.name}>
              <th>{field.name}</th>
              <td><code className="bits">{field.bits}</code></td>
              <td><code>{field.value}</code></td>
              <td>{field.meaning}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="kv-table">
        <tbody>
          <tr><th>Length form</th><td data-field="length-form">{describeLengthForm(parsed.lengthForm, parsed.nonMinimal)}</td></tr>
          <tr><th>Header bytes</th><td><code data-field="header-hex">{bytesToHex(detail.header, ' ')}</code> ({detail.header.length} bytes)</td></tr>
          <tr><th>Payload</th><td>{count(f.payloadLength)} bytes announced, {count(f.storedLength)} stored{f.truncated ? ' (truncated)' : ''}{f.payloadNotStored ? ' (not stored: disk budget reached)' : ''}</td></tr>
          <tr><th>Position</th><td>frame {count(f.index)} of its direction, at byte {count(f.offset)} of the {f.direction === 'send' ? 'client → server' : 'server → client'} stream</td></tr>
        </tbody>
      </table>
    </div>
  );
}
