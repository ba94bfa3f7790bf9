// What the connection list shows of a stored connection: its record's fields with its counts, read
// from the index (no frame or message is read), and the session's totals counted in place.
import type { ConnectionCounts } from '../control/api-types.js';
import type { CaptureIndex, ConnectionIndex } from './capture-index.js';
import type { ConnectionRecord } from './capture-model.js';

/** A connection's record fields and its counts, for the connection list. */
export interface ConnectionSummary extends Omit<ConnectionRecord, 'frames' | 'messages'>, ConnectionCounts {}

/** A connection's record (without its frames and messages) with its counts. */
export function connectionSummaryOf(entry: ConnectionIndex): ConnectionSummary {
  const { frames: _frames, messages: _messages, ...record } = entry.record!;
  return {
    ...record,
    frameCount: entry.frameCount,
    messageCount: entry.messageCount,
    framesSent: entry.framesSent,
    framesReceived: entry.framesReceived,
    messagesSent: entry.messagesSent,
    messagesReceived: entry.messagesReceived,
    bytesSent: entry.bytesSent,
    bytesReceived: entry.bytesReceived,
    violationCount: entry.violationCount,
  };
}

/** Connections with a record, and their frames, counted without building their summaries. */
export function totalsOf(index: CaptureIndex): { connections: number; frames: number } {
  let connections = 0;
  let frames = 0;
  for (const entry of index.all()) {
    if (entry.record === undefined) continue;
    connections++;
    frames += entry.frameCount;
  }
  return { connections, frames };
}
