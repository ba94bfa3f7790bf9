// The selected message in full (getMessage), for connections listed by message rather than by frame.
import type { ControlClient } from '../api/control-client.js';
import type { ControlCommands } from '../api/wire.js';
import { base64ToBytes } from '../protocol/bytes.js';
import { Observable } from './observable.js';

export interface MessageDetailView {
  /** The wire detail: the message's summary and its data. */
  message: ControlCommands['getMessage']['result'];
  /** The connection it belongs to. */
  connectionId: number;
  /** The data (reassembled and decompressed when it was captured live). */
  data: Uint8Array;
}

const DETAIL_CACHE = 64;
/** Key repeat does not flood the engine: the detail loads this long after the last selection, ms. */
const LOAD_DELAY_MS = 30;

export class MessageDetailStore extends Observable {
  connectionId: number | undefined;
  number: number | undefined;
  /** Where the selection sits in the list that is shown (messages or search hits). */
  index = -1;
  view: MessageDetailView | undefined;
  loading = false;
  error: string | undefined;
  initialized: Promise<void> = Promise.resolve();
  private readonly cache = new Map<string, MessageDetailView>();
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly client: ControlClient) {
    super();
  }

  select(connectionId: number, number: number, index: number): void {
    this.index = index;
    if (connectionId === this.connectionId && number === this.number) {
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
    this.timer = setTimeout(() => void this.load(connectionId, number, generation).finally(done), LOAD_DELAY_MS);
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
      const message = await this.client.request('getMessage', { connectionId, number });
      if (generation !== this.generation) return;
      const view: MessageDetailView = { message, connectionId, data: base64ToBytes(message.dataBase64) };
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
}
