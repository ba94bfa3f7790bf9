// The frame timeline's view model: one row per wire frame, derived once from the wire summary.
import type { Direction, FrameSummary } from '../api/wire.js';
import { opcodeBadge } from '../protocol/opcodes.js';

export interface FrameRow {
  /** The frame's number in its connection. */
  number: number;
  direction: Direction;
  /** Epoch ms when it went on the wire (the list's order). */
  time: number;
  /** Epoch ms when it arrived at the proxy, when earlier than time (it was held or queued). */
  arrivedAt?: number;
  opcode: number;
  /** TEXT, BIN, CONT, CLOSE, PING, PONG or "reserved 0xN". */
  badge: string;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  masked: boolean;
  /** The length field's value: a number, or decimal digits past 2^53 − 1 (as the API sends it). */
  payloadLength: number | string;
  /** The decompressed size of the message this frame completes, when it was compressed. */
  inflatedLength: number | undefined;
  /** A one-line preview: text, hex, or the close code and reason. */
  preview: string;
  /** The preview is hex digits, not text. */
  previewIsHex: boolean;
  /** The preview is of the decompressed message this frame completes, not of its compressed payload. */
  previewInflated: boolean;
  violations: readonly string[];
  injected: boolean;
  edited: boolean;
  dropped: boolean;
  /** The rules that changed, dropped, delayed or created it. */
  rule?: string;
  /** The stored payload is shorter than the length field. */
  truncated: boolean;
}

export function toFrameRow(f: FrameSummary): FrameRow {
  let preview = f.previewKind === 'hex' ? f.preview.replace(/(..)(?=.)/g, '$1 ') : f.preview.replace(/[\r\n\t]+/g, ' ');
  if (f.opcode === 8) {
    preview = f.closeCode === undefined ? '(no status code)' : `${f.closeCode}${f.closeReason ? ` ${f.closeReason}` : ''}`;
  }
  return {
    number: f.number, direction: f.direction, time: f.time, ...(f.arrivedAt !== undefined ? { arrivedAt: f.arrivedAt } : {}), opcode: f.opcode, badge: opcodeBadge(f.opcode),
    fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, masked: f.masked, payloadLength: f.payloadLength,
    inflatedLength: f.previewDecompressed ? f.inflatedLength : undefined,
    preview, previewIsHex: f.previewKind === 'hex' && f.opcode !== 8, previewInflated: f.previewDecompressed === true,
    violations: f.violations, injected: f.injected, edited: f.edited, dropped: f.dropped, truncated: f.truncated || f.payloadNotStored,
    ...(f.rule ? { rule: f.rule } : {}),
  };
}
