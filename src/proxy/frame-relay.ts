// The per-connection frame relay: every byte each peer sends goes to the other peer unchanged, as it
// arrives (cut-through), while a decoder per direction records frames and messages on the side.
// Backpressure both ways: when a receiver is slow, the sender's socket is paused.
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { StreamDecoder } from '../protocol/stream-decoder.js';
import type { DeflateParams } from '../protocol/permessage-deflate.js';
import type { Frame, Message, Sender } from '../protocol/frame.js';
import type { Direction, ConnectionRecord } from '../capture/capture-model.js';
import type { Session } from '../capture/session.js';

export interface RelayOptions {
  /** Negotiated permessage-deflate parameters, or null. */
  deflate: DeflateParams | null;
  /** Payload bytes stored per frame and per message; the rest passes through unrecorded. */
  maxStoredPayload: number;
}

interface Side {
  /** Who sends on this socket. */
  sender: Sender;
  socket: Duplex;
  decoder: StreamDecoder;
  /** The socket has ended or closed: no more bytes will come from it. */
  ended: boolean;
  closed: boolean;
}

export class FrameRelay {
  private readonly client: Side;
  private readonly server: Side;
  private finished = false;
  /** The side whose TCP connection ended first, for the 1006 record. */
  private firstToDrop: Sender | undefined;

  constructor(
    private readonly session: Session,
    private readonly connection: ConnectionRecord,
    clientSocket: Duplex,
    serverSocket: Duplex,
    options: RelayOptions,
  ) {
    this.client = this.side('client', clientSocket, options);
    this.server = this.side('server', serverSocket, options);
  }

  /**
   * Starts relaying. clientHead and serverHead are bytes that arrived after each handshake head
   * (the first frames, when a peer did not wait): they go through the same path as later bytes.
   */
  start(clientHead: Buffer, serverHead: Buffer): void {
    this.pipe(this.client, this.server);
    this.pipe(this.server, this.client);
    if (serverHead.length > 0) this.onData(this.server, this.client, serverHead);
    if (clientHead.length > 0) this.onData(this.client, this.server, clientHead);
    this.client.socket.resume();
    this.server.socket.resume();
  }

  private side(sender: Sender, socket: Duplex, options: RelayOptions): Side {
    const direction: Direction = sender === 'client' ? 'send' : 'receive';
    const decoder = new StreamDecoder(
      { from: sender, deflate: options.deflate, maxStoredPayload: options.maxStoredPayload, maxMessageSize: options.maxStoredPayload },
      {
        onFrame: (frame) => this.onFrame(direction, frame),
        onMessage: (message) => this.onMessage(direction, message),
      },
    );
    return { sender, socket, decoder, ended: false, closed: false };
  }

  private pipe(from: Side, to: Side): void {
    const socket = from.socket;
    socket.on('data', (chunk: Buffer) => this.onData(from, to, chunk));
    socket.on('end', () => {
      from.ended = true;
      this.firstToDrop ??= from.sender;
      // Half-close travels on: the other peer learns that this one will send no more.
      if (!to.closed) to.socket.end();
    });
    socket.on('error', () => {
      // A reset or other failure: the other peer gets the same abrupt end.
      this.firstToDrop ??= from.sender;
      if (!to.closed) resetOrDestroy(to.socket);
    });
    socket.on('close', () => {
      from.closed = true;
      from.ended = true;
      this.firstToDrop ??= from.sender;
      if (!to.closed) {
        // Let whatever is queued drain, then close; a peer that never reads is not waited on forever.
        to.socket.end();
        const timer = setTimeout(() => to.socket.destroy(), 5_000);
        timer.unref();
      }
      if (this.client.closed && this.server.closed) this.finish();
    });
  }

  private onData(from: Side, to: Side, chunk: Buffer): void {
    // Forward first (the decoder never changes the chunk), then record.
    if (!to.closed && !to.socket.write(chunk)) {
      from.socket.pause();
      to.socket.once('drain', () => from.socket.resume());
    }
    from.decoder.push(chunk);
  }

  private onFrame(direction: Direction, frame: Frame): void {
    const c = this.connection;
    if (frame.opcode === 0x8 && !c.close) {
      c.close = {
        code: frame.closeCode ?? 1005,
        reason: frame.closeReason ?? '',
        closedBy: direction === 'send' ? 'client' : 'server',
      };
      c.state = 'closing';
      this.session.updated(c);
    }
    this.session.addFrame(c, { direction, time: Date.now(), frame });
  }

  private onMessage(direction: Direction, message: Message): void {
    this.session.addMessage(this.connection, { direction, time: Date.now(), message });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    // A frame cut off by the end of the stream is still recorded, with its violation.
    this.client.decoder.end();
    this.server.decoder.end();
    const c = this.connection;
    c.close ??= { code: 1006, reason: '', closedBy: this.firstToDrop ?? 'server' };
    c.state = 'closed';
    c.endedAt = Date.now();
    this.session.closed(c);
  }
}

function resetOrDestroy(socket: Duplex): void {
  const s = socket as Partial<Socket> & Duplex;
  if (typeof s.resetAndDestroy === 'function' && !s.destroyed) s.resetAndDestroy();
  else socket.destroy();
}
