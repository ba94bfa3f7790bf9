// A record with frames written to the store from the spool: its frames and messages merged in time order
// (a frame before a message of the same time), each read back from its item when its turn comes, so that
// memory holds one item (and its message's frames) at a time.
import type { CaptureStore } from '../capture-store.js';
import type { CapturedFrame, ConnectionRecord } from '../capture-model.js';
import { saveImportedNotes } from '../har-notes.js';
import type { DataSpool } from './data-spool.js';
import type { FrameLinks } from './frame-links.js';
import { FLUSH_EVERY } from './spooled-messages-writer.js';

/** What an item costs the writer besides its bytes, counted towards a flush. */
const ITEM_OVERHEAD = 64;

/** Writes the frames and messages of a record that has been put, then its notes (frames carry them). */
export function writeLinkedRecord(store: CaptureStore, record: ConnectionRecord, links: FrameLinks, spool: DataSpool): void {
  const { frames, messages } = links;
  const noted: { j: number; captured: CapturedFrame }[] = [];
  const numbers = new Map<object, number>();
  const frameOrder = frames.timeOrder();
  const messageOrder = messages.timeOrder();
  // A long entry is written in one synchronous run: flushing every few MiB keeps the writer's memory small.
  let unflushed = 0;
  let f = 0;
  let m = 0;
  while (f < frameOrder.length || m < messageOrder.length) {
    if (unflushed >= FLUSH_EVERY) {
      store.flush();
      unflushed = 0;
    }
    const j = frameOrder[f];
    const k = messageOrder[m];
    if (j !== undefined && (k === undefined || frames.times[j]! <= messages.times[k]!)) {
      f += 1;
      const captured = links.frame(j, spool);
      const number = store.putFrame(record.id, captured);
      unflushed += captured.frame.payload.length + ITEM_OVERHEAD;
      if (captured.note) {
        noted.push({ j, captured });
        numbers.set(captured, number);
      }
    } else {
      m += 1;
      const { captured, data } = links.message(k!);
      const message = { ...captured.message, data: spool.read(data) };
      store.putMessage(record.id, { ...captured, message });
      unflushed += message.data.length + ITEM_OVERHEAD;
    }
  }
  noted.sort((a, b) => a.j - b.j);
  // Where there are frames, they carry the notes (a message's note is its final frame's).
  saveImportedNotes(store, { ...record, frames: noted.map((n) => n.captured), messages: [] }, numbers, numbers);
}
