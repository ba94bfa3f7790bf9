// The user's notes on their way to and from HAR (`_notes` on entries, frames and messages). A
// message's note is its own, else the note on the frame that completed it (a live capture is marked
// frame by frame); on import, messages of an entry that has frames leave their note to those frames.
import type { Annotation } from './annotations.js';
import type { CaptureStore } from './capture-store.js';
import type { ConnectionRecord } from './capture-model.js';

export interface ConnectionNotes {
  connection?: string;
  /** By frame number. */
  frames: Map<number, string>;
  /** By message number. */
  messages: Map<number, string>;
}

/** The notes of one connection, ready for the HAR builders. */
export function connectionNotes(store: Pick<CaptureStore, 'annotations' | 'messageEndingAt'>, connectionId: number): ConnectionNotes {
  const notes: ConnectionNotes = { frames: new Map(), messages: new Map() };
  const fromFrames: [number, string][] = [];
  for (const a of store.annotations(connectionId)) {
    if (a.note === '') continue;
    if (a.target === 'connection') notes.connection = a.note;
    else if (a.target === 'message') notes.messages.set(a.number, a.note);
    else {
      notes.frames.set(a.number, a.note);
      fromFrames.push([a.number, a.note]);
    }
  }
  for (const [frame, note] of fromFrames) {
    const message = store.messageEndingAt(connectionId, frame);
    if (message && !notes.messages.has(message.number)) notes.messages.set(message.number, note);
  }
  return notes;
}

/** A whole record with its notes set on it, its frames and its messages. */
export function withNotes(record: ConnectionRecord, notes: ConnectionNotes): ConnectionRecord {
  if (notes.connection === undefined && notes.frames.size === 0 && notes.messages.size === 0) return record;
  const noted = { ...record, frames: record.frames.map((f, n) => (notes.frames.has(n) ? { ...f, note: notes.frames.get(n) } : f)), messages: record.messages.map((m, n) => (notes.messages.has(n) ? { ...m, note: notes.messages.get(n) } : m)) };
  if (notes.connection !== undefined) noted.note = notes.connection;
  return noted;
}

/**
 * Saves the notes an imported record carries, once its frames and messages have their numbers in the
 * store: `frames` and `messages` are the numbers putFrame and putMessage returned, in record order.
 */
export function saveImportedNotes(store: Pick<CaptureStore, 'putAnnotation'>, record: ConnectionRecord, frameNumbers: ReadonlyMap<object, number>, messageNumbers: ReadonlyMap<object, number>, time = Date.now()): void {
  const mark = (target: Annotation['target'], number: number, note: string) => store.putAnnotation({ connectionId: record.id, target, number, note, pinned: false, time });
  if (record.note) mark('connection', 0, record.note);
  for (const f of record.frames) {
    const n = frameNumbers.get(f);
    if (f.note && n !== undefined && n >= 0) mark('frame', n, f.note);
  }
  // Where there are frames, they carry the notes (a message's note is its final frame's).
  if (record.frames.length > 0) return;
  for (const m of record.messages) {
    const n = messageNumbers.get(m);
    if (m.note && n !== undefined && n >= 0) mark('message', n, m.note);
  }
}
