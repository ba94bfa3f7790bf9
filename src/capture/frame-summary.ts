// One row of a virtualized frame list: a frame record's header fields and a short preview of its
// payload, built from the record read up to the preview (never the whole payload).
import type { FrameSummary as ApiFrameSummary } from '../control/api-types.js';
import type { ViolationCode } from '../protocol/violations.js';
import type { DecodedFrame } from './capture-file.js';
import { lengthToJson } from '../protocol/exact-length.js';

/** Bytes of payload in a frame summary's preview. */
export const PREVIEW_BYTES = 64;

/**
 * One row of a virtualized frame list: the header fields and a short preview, no whole payload.
 * The control API's wire type, with violations typed as the catalogue's codes.
 */
export type FrameSummary = Omit<ApiFrameSummary, 'violations'> & {
  /** Violation codes, in the order found. */
  violations: ViolationCode[];
};

/** The row of frame n of a connection, from its record decoded up to the preview. */
export function summaryOf(connectionId: number, n: number, decoded: DecodedFrame): FrameSummary {
  const { captured } = decoded;
  const f = captured.frame;
  const preview = previewOf(f.payload.subarray(0, PREVIEW_BYTES), decoded.storedLength > PREVIEW_BYTES);
  const row: FrameSummary = {
    connectionId, number: n, direction: captured.direction, time: captured.time,
    fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode, masked: f.masked,
    payloadLength: lengthToJson(f), lengthForm: f.lengthForm, headerLength: f.headerLength, index: f.index, offset: f.offset,
    truncated: f.truncated, violations: f.violations,
    injected: captured.injected === true, edited: captured.edited === true, dropped: captured.dropped === true,
    payloadNotStored: decoded.payloadNotStored, storedLength: decoded.storedLength,
    preview: preview.text, previewKind: preview.kind,
  };
  if (captured.arrivedAt !== undefined) row.arrivedAt = captured.arrivedAt;
  if (f.maskKey !== undefined) row.maskKey = f.maskKey.toString('hex');
  if (f.closeCode !== undefined) row.closeCode = f.closeCode;
  if (f.closeReason !== undefined) row.closeReason = f.closeReason;
  return row;
}

/** Text when the bytes are UTF-8 without control characters (a code point cut at the end is allowed), else hex. */
export function previewOf(bytes: Buffer, cut: boolean): { text: string; kind: 'text' | 'hex' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: cut });
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { text, kind: 'text' };
  } catch {
    // Not UTF-8: hex.
  }
  return { text: bytes.toString('hex'), kind: 'hex' };
}
