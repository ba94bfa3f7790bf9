// A session writer that keeps what a capture import writes in memory, for tests that read it back whole.
import type { CapturedFrame, CapturedMessage, ConnectionRecord } from '../../src/capture/capture-model.js';
import type { StoredError } from '../../src/capture/capture-file.js';
import type { SessionWriter } from '../../src/capture/pcap/websocket-conversation.js';

export class MemorySessionWriter implements SessionWriter {
  readonly connections = new Map<number, ConnectionRecord>();
  readonly errors: StoredError[] = [];

  putConnection(connection: ConnectionRecord): void {
    const had = this.connections.get(connection.id);
    this.connections.set(connection.id, { ...structuredClone({ ...connection, frames: [], messages: [] }), frames: had?.frames ?? [], messages: had?.messages ?? [] });
  }

  putFrame(connectionId: number, frame: CapturedFrame): number {
    const frames = this.connection(connectionId).frames;
    frames.push({ ...frame, frame: { ...frame.frame, payload: Buffer.from(frame.frame.payload) } });
    return frames.length - 1;
  }

  putMessage(connectionId: number, message: CapturedMessage): number {
    const messages = this.connection(connectionId).messages;
    messages.push({ ...message, message: { ...message.message, data: Buffer.from(message.message.data) } });
    return messages.length - 1;
  }

  putError(error: StoredError): void {
    this.errors.push(error);
  }

  /** The records in id order. */
  list(): ConnectionRecord[] {
    return [...this.connections.values()].sort((a, b) => a.id - b.id);
  }

  private connection(id: number): ConnectionRecord {
    const c = this.connections.get(id);
    if (!c) throw new Error(`a frame or message for connection ${id} before its record`);
    return c;
  }
}
