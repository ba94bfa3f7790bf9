// A record without frames written to the store from the spool: its messages in time order, each read
// back from its item when its turn comes, so that memory holds one message at a time.
import type { CaptureStore } from '../capture-store.js';
import type { CapturedMessage, ConnectionRecord } from '../capture-model.js';
import { saveImportedNotes } from '../har-notes.js';
import type { DataSpool } from './data-spool.js';
import type { SpooledMessages } from './spooled-messages.js';

/** Bytes put into the store between flushes while writing one entry. */
export const FLUSH_EVERY = 16 * 1024 * 1024;
/** What a message costs the writer besides its data, counted towards a flush. */
const MESSAGE_OVERHEAD = 64;

/** Writes the messages of a record that has been put, then their notes (in the HAR's order). */
export function writeSpooledMessages(store: CaptureStore, record: ConnectionRecord, messages: SpooledMessages, spool: DataSpool): void {
  const noted: { k: number; captured: CapturedMessage }[] = [];
  const numbers = new Map<object, number>();
  // A long entry is written in one synchronous run: flushing every few MiB keeps the writer's memory small.
  let unflushed = 0;
  for (const k of messages.timeOrder()) {
    if (unflushed >= FLUSH_EVERY) {
      store.flush();
      unflushed = 0;
    }
    const { captured, data } = messages.get(k);
    const message = { ...captured.message, data: spool.read(data) };
    const number = store.putMessage(record.id, { ...captured, message });
    unflushed += message.data.length + MESSAGE_OVERHEAD;
    if (captured.note) {
      noted.push({ k, captured });
      numbers.set(captured, number);
    }
  }
  noted.sort((a, b) => a.k - b.k);
  saveImportedNotes(store, { ...record, frames: [], messages: noted.map((n) => n.captured) }, numbers, numbers);
}
