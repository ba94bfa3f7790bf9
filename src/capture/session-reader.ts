// Reading a session back one connection, message and frame at a time (for HAR export), so that memory
// holds one message at a time whatever the session's size. Records are read on demand from the store;
// a connection still recording is read as far as it has gone when its turn comes.
import { lengthFromJson } from '../protocol/exact-length.js';
import type { CaptureStore } from './capture-store.js';
import type { CapturedFrame, CapturedMessage, ConnectionRecord } from './capture-model.js';
import type { FrameSummary } from './frame-summary.js';
import { connectionNotes } from './har-notes.js';
import { storedLensChoice } from '../lenses/protocol-views.js';
import type { LensChoice } from '../protocol/lenses/lens-names.js';

/** One connection to write: its record (frames and messages left empty) and its items, read when iterated. */
export interface ConnectionToRead {
  /** The connection's latest record, with empty frames and messages arrays. */
  record: ConnectionRecord;
  /** Data messages at the time the list was made (progress); iterating reads what is there then. */
  messageCount: number;
  /** Frames at the time the list was made. */
  frameCount: number;
  /** The data messages in order, each read when asked for. */
  messages(): Iterable<CapturedMessage>;
  /** The frames in order, without payloads (HAR does not carry them). */
  frames(): Iterable<CapturedFrame>;
  /** The protocol lens the user chose for it (`_protocol`); auto-detection when absent. */
  lens?: LensChoice;
}

/** Frame headers read per batch: a summary holds no payload, so a batch is small. */
const FRAME_BATCH = 512;

/** The connections of a store (those with the given ids, else all), in id order, read lazily. */
export function connectionsOf(store: CaptureStore, ids?: readonly number[]): ConnectionToRead[] {
  const wanted = ids ? new Set(ids) : null;
  return store.connections().filter((c) => !wanted || wanted.has(c.id)).map((summary) => {
    const notes = connectionNotes(store, summary.id);
    const record = store.connection(summary.id)!;
    return {
      record: notes.connection === undefined ? record : { ...record, note: notes.connection },
      messageCount: summary.messageCount,
      frameCount: summary.frameCount,
      lens: storedLensChoice(store, summary.id),
      *messages() {
        // One at a time: a message may be as large as the largest the proxy let through.
        let m = 0;
        for (const message of store.readMessages(summary.id)) {
          yield notes.messages.has(m) ? { ...message, note: notes.messages.get(m) } : message;
          m += 1;
        }
      },
      *frames() {
        for (let n = 0; n < store.frameCount(summary.id); n += FRAME_BATCH) {
          for (const row of store.frames(summary.id, n, n + FRAME_BATCH)) {
            const frame = frameOfSummary(row);
            if (row.rule) frame.rule = row.rule;
            if (notes.frames.has(row.number)) frame.note = notes.frames.get(row.number);
            yield frame;
          }
        }
      },
    };
  });
}

/** Records already in memory (an import, a test) in the same shape. */
export function connectionsInMemory(records: readonly ConnectionRecord[]): ConnectionToRead[] {
  return records.map((c) => ({
    record: { ...c, frames: [], messages: [] },
    messageCount: c.messages.length,
    frameCount: c.frames.length,
    messages: () => c.messages,
    frames: () => c.frames,
  }));
}

/** A frame list row as a captured frame with its header fields and no payload. */
function frameOfSummary(row: FrameSummary): CapturedFrame {
  const frame: CapturedFrame['frame'] = {
    fin: row.fin, rsv1: row.rsv1, rsv2: row.rsv2, rsv3: row.rsv3, opcode: row.opcode, masked: row.masked,
    ...(lengthFromJson(row.payloadLength) ?? { payloadLength: 0 }), lengthForm: row.lengthForm, headerLength: row.headerLength, index: row.index, offset: row.offset,
    payload: Buffer.alloc(0), truncated: row.truncated, violations: row.violations,
  };
  if (row.maskKey !== undefined) frame.maskKey = Buffer.from(row.maskKey, 'hex');
  if (row.closeCode !== undefined) frame.closeCode = row.closeCode;
  if (row.closeReason !== undefined) frame.closeReason = row.closeReason;
  const captured: CapturedFrame = { direction: row.direction, time: row.time, frame };
  if (row.arrivedAt !== undefined) captured.arrivedAt = row.arrivedAt;
  if (row.injected) captured.injected = true;
  if (row.edited) captured.edited = true;
  if (row.dropped) captured.dropped = true;
  return captured;
}
