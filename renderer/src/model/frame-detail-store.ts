// The selected frame in full: its header bytes, payload and, for a data frame, the whole message it
// belongs to (for a fragment, found by walking to the message's final frame).
import type { ControlClient } from '../api/control-client.js';
import type { FrameDetail, MessageInfo } from '../api/wire.js';
import { base64ToBytes, hexToBytes } from '../protocol/bytes.js';
import { Observable } from './observable.js';

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
const DETAIL_CACHE = 64;

export class FrameDetailStore extends Observable {
  connectionId: number | undefined;
  number: number | undefined;
  /** Where the selection sits in the list that is shown (timeline or search hits). */
  index = -1;
  view: FrameDetailView | undefined;
  loading = false;
  error: string | undefined;
  private readonly cache = new Map<string, FrameDetailView>();
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  initialized: Promise<void> = Promise.resolve();

  constructor(private readonly client: ControlClient) {
    super();
  }

  /** Selects a frame; its detail loads shortly after (key repeat does not flood the engine). */
  select(connectionId: number, number: number, index: number): void {
    const same = connectionId === this.connectionId && number === this.number;
    this.index = index;
    if (same) {
      this.changed();
      return;
    }
    this.connectionId = connectionId;
    this.number = number;
    this.error = undefined;
    const cached = this.cache.get(`${connectionId}:${number}`);
    this.view = cached;
    this.loading = !cached;
    this.changed();
    if (cached) return;
    const generation = ++this.generation;
    if (this.timer !== undefined) clearTimeout(this.timer);
    let done!: () => void;
    this.initialized = new Promise((resolve) => (done = resolve));
    this.timer = setTimeout(() => void this.load(connectionId, number, generation).finally(done), 30);
  }

  clear(): void {
    this.generation++;
    this.connectionId = undefined;
    this.number = undefined;
    this.index = -1;
    this.view = undefined;
    this.loading = false;
    this.error = undefined;
    this.changed();
  }

  /** Forgets cached details (the session changed). */
  reset(): void {
    this.cache.clear();
    this.clear();
  }

  private async load(connectionId: number, number: number, generation: number): Promise<void> {
    try {
      const frame = await this.client.request('getFrame', { connectionId, number });
      let message = frame.message;
      let unfinished = false;
      const fragment = frame.opcode === 0 || (!frame.fin && (frame.opcode === 1 || frame.opcode === 2));
      if (!message && fragment) {
        message = await this.findMessage(frame);
        unfinished = !message;
      }
      if (generation !== this.generation) return;
      const view: FrameDetailView = {
        frame,
        header: hexToBytes(frame.headerHex),
        payload: base64ToBytes(frame.payloadBase64),
        message,
        messageData: message ? base64ToBytes(message.dataBase64) : undefined,
        unfinished,
      };
      this.cache.set(`${connectionId}:${number}`, view);
      if (this.cache.size > DETAIL_CACHE) this.cache.delete(this.cache.keys().next().value!);
      this.view = view;
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.loading = false;
    this.changed();
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
