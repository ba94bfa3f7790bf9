// The selected message in full (getMessage), for connections listed by message rather than by frame.
import type { ControlClient } from '../api/control-client.js';
import type { ControlCommands } from '../api/wire.js';
import { base64ToBytes } from '../protocol/bytes.js';
import { DetailSelection } from './detail-selection.js';

export interface MessageDetailView {
  /** The wire detail: the message's summary and its data. */
  message: ControlCommands['getMessage']['result'];
  /** The connection it belongs to. */
  connectionId: number;
  /** The data (reassembled and decompressed when it was captured live). */
  data: Uint8Array;
}

export class MessageDetailStore extends DetailSelection<MessageDetailView> {
  constructor(private readonly client: ControlClient) {
    super();
  }

  protected async fetch(connectionId: number, number: number): Promise<MessageDetailView> {
    const message = await this.client.request('getMessage', { connectionId, number });
    return { message, connectionId, data: base64ToBytes(message.dataBase64) };
  }
}
