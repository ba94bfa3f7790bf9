// The selected frame in full: its header bytes, payload and, for a data frame, the whole message it
// belongs to (for a fragment, found by walking to the message's final frame).
import type { ControlClient } from '../api/control-client.js';
import type { FrameDetail, MessageInfo } from '../api/wire.js';
import { base64ToBytes, hexToBytes } from '../protocol/bytes.js';
import { DetailSelection } from './detail-selection.js';

export interface FrameDetailView {
  /** The wire detail. */
  frame: FrameDetail;
  /** The header as on the wire. */
  header: Uint8Array;
  /** The stored payload, unmasked. */
  payload: Uint8Array;
  /** The data message the frame belongs to, when known. */
  message: MessageInfo | undefined;
  /** The message's reassembled (and decompressed) content. */
  messageData: Uint8Array | undefined;
  /** The frame is a fragment of a message whose end was not found (still arriving, or never finished). */
  unfinished: boolean;
}

/** Frames walked forward to find a fragment's final frame. */
const MAX_FRAGMENT_WALK = 20_000;

export class FrameDetailStore extends DetailSelection<FrameDetailView> {
  constructor(private readonly client: ControlClient) {
    super();
  }

  protected async fetch(connectionId: number, number: number): Promise<FrameDetailView> {
    const frame = await this.client.request('getFrame', { connectionId, number });
    let message = frame.message;
    let unfinished = false;
    const fragment = frame.opcode === 0 || (!frame.fin && (frame.opcode === 1 || frame.opcode === 2));
    if (!message && fragment) {
      message = await this.findMessage(frame);
      unfinished = !message;
    }
    return {
      frame,
      header: hexToBytes(frame.headerHex),
      payload: base64ToBytes(frame.payloadBase64),
      message,
      messageData: message ? base64ToBytes(message.dataBase64) : undefined,
      unfinished,
    };
  }

  /** Walks forward in the fragment's direction to the continuation frame with FIN set (RFC 6455 §5.4). */
  private async findMessage(frame: FrameDetail): Promise<MessageInfo | undefined> {
    let start = frame.number + 1;
    while (start <= frame.number + MAX_FRAGMENT_WALK) {
      const { frames } = await this.client.request('queryFrames', { connectionId: frame.connectionId, start, end: start + 1000 });
      if (frames.length === 0) return undefined;
      for (const f of frames) {
        if (f.direction !== frame.direction || f.opcode >= 8) continue;
        if (f.opcode !== 0) return undefined; // a new message began: this one never finished
        if (f.fin) return (await this.client.request('getFrame', { connectionId: f.connectionId, number: f.number })).message;
      }
      start += frames.length;
    }
    return undefined;
  }
}
