// What lists show of payloads: frame rows of compressed messages get the decompressed message's
// preview, and message rows their data's.
import { PREVIEW_BYTES, previewOf, type CaptureStore, type FrameSummary as StoreFrameSummary } from '../capture/capture-store.js';
import type { CapturedMessage } from '../capture/capture-model.js';
import type { FrameSummary, MessageSummary } from './api-types.js';

/** Frame rows, with the final frame of each compressed message previewing the message's content. */
export function framesWithPreviews(store: CaptureStore, connectionId: number, rows: StoreFrameSummary[]): FrameSummary[] {
  return rows.map((row) => {
    // Only a message's last frame (FIN) can complete it; compression marks its first frame (RSV1).
    if (!row.fin || (row.opcode !== 0 && !row.rsv1) || row.opcode > 2) return row;
    const message = store.messageEndingAt(connectionId, row.number);
    if (!message?.captured.message.compressed) return row;
    const data = message.captured.message.data;
    const preview = previewOf(data.subarray(0, PREVIEW_BYTES), data.length > PREVIEW_BYTES);
    return { ...row, preview: preview.text, previewKind: preview.kind, previewDecompressed: true, inflatedLength: message.captured.message.size };
  });
}

export function messageSummary(number: number, m: CapturedMessage): MessageSummary {
  const data = m.message.data;
  const preview = previewOf(data.subarray(0, PREVIEW_BYTES), data.length > PREVIEW_BYTES);
  return {
    number, direction: m.direction, time: m.time, ...(m.arrivedAt !== undefined ? { arrivedAt: m.arrivedAt } : {}), opcode: m.message.opcode, size: m.message.size,
    compressed: m.message.compressed, truncated: m.message.truncated, violations: m.message.violations,
    injected: m.injected === true, edited: m.edited === true, dropped: m.dropped === true,
    ...(m.rule ? { rule: m.rule } : {}),
    preview: preview.text, previewKind: preview.kind,
  };
}
