// The live session: every connection the proxy handled, and a typed event stream of what happened.
// This is the in-memory model; the control API carries its events to the UI.
import { EventEmitter } from 'node:events';
import type { CapturedFrame, CapturedMessage, ConnectionRecord } from './capture-model.js';
import { FULL_RECORDING, type RecordPolicy } from './record-policy.js';
import { unmaskWire } from '../protocol/wire-payload.js';

export interface SessionEvents {
  /** A client asked for a WebSocket: the record exists, the handshake is under way. */
  'connection-opened': [connection: ConnectionRecord];
  /** The handshake was answered (101 or not). */
  'connection-updated': [connection: ConnectionRecord];
  /** A wire frame passed the proxy. */
  frame: [connection: ConnectionRecord, frame: CapturedFrame];
  /** A data message completed. */
  message: [connection: ConnectionRecord, message: CapturedMessage];
  /** Both sides of the connection are gone (or it never opened). */
  'connection-closed': [connection: ConnectionRecord];
  /** Something failed that is not a connection's own story (a listener error, a garbage request). */
  error: [error: SessionError];
}

export interface SessionError {
  /** What failed, in one line. */
  message: string;
  /** The connection it concerns, if any. */
  connectionId?: number;
  /** When, epoch milliseconds. */
  time: number;
}

export interface SessionOptions {
  /**
   * Keep every frame and message in the connection records (default true). An engine that records
   * into a capture store turns it off: then memory holds only the connection records.
   */
  keepHistory?: boolean;
  /** The first connection id (a session reopened to record more continues its numbering). Default 1. */
  firstId?: number;
  /**
   * Frames and messages may go out with their payload as wire bytes (Frame.wire, Message.wire: views
   * of the relay's chunks, masked as they came) rather than unmasked: for a session whose listeners
   * are a capture store that writes them as they are and readers that read payloads back from it.
   * Default false: every frame and message is unmasked before it is announced.
   */
  wirePayloads?: boolean;
}

export class Session extends EventEmitter<SessionEvents> {
  /** Every connection in the order they started. */
  readonly connections: ConnectionRecord[] = [];
  /** Errors that belong to no connection, in order. */
  readonly errors: SessionError[] = [];
  /**
   * What the relay records from now on: every frame and message (full), headers and a payload prefix,
   * or none (off: connections and handshakes only). The engine sets it; the relay reads it per frame.
   */
  recordPolicy: RecordPolicy = FULL_RECORDING;
  private nextId: number;
  private readonly keepHistory: boolean;
  private readonly wirePayloads: boolean;
  /** Listeners that read payloads of what is announced (readPayloads), besides the store. */
  private payloadReaders = 0;

  constructor(options: SessionOptions = {}) {
    super();
    this.keepHistory = options.keepHistory ?? true;
    this.wirePayloads = options.wirePayloads ?? false;
    this.nextId = options.firstId ?? 1;
    // 'error' events must never throw for lack of a listener: they are records, not exceptions.
    this.on('error', () => {});
  }

  /** Creates and announces a connection record. */
  addConnection(fields: Omit<ConnectionRecord, 'id' | 'frames' | 'messages' | 'checks'> & Partial<Pick<ConnectionRecord, 'checks'>>): ConnectionRecord {
    const connection: ConnectionRecord = { checks: [], ...fields, id: this.nextId++, frames: [], messages: [] };
    this.connections.push(connection);
    this.emit('connection-opened', connection);
    return connection;
  }

  updated(connection: ConnectionRecord): void {
    this.emit('connection-updated', connection);
  }

  addFrame(connection: ConnectionRecord, frame: CapturedFrame): void {
    const wire = frame.frame.wire;
    if (wire && !this.passesWire) {
      frame.frame.payload = unmaskWire(wire);
      frame.frame.wire = undefined;
    }
    if (this.keepHistory) connection.frames.push(frame);
    this.emit('frame', connection, frame);
  }

  addMessage(connection: ConnectionRecord, message: CapturedMessage): void {
    const wire = message.message.wire;
    if (wire && !this.passesWire) {
      message.message.data = unmaskWire(wire);
      message.message.wire = undefined;
    }
    if (this.keepHistory) connection.messages.push(message);
    this.emit('message', connection, message);
  }

  closed(connection: ConnectionRecord): void {
    connection.endedAt ??= Date.now();
    this.emit('connection-closed', connection);
    // A finished connection's record lives on in the store; the live session lets it go.
    if (!this.keepHistory) this.connections.splice(this.connections.indexOf(connection), 1);
  }

  recordError(message: string, connectionId?: number): void {
    const error: SessionError = { message, connectionId, time: Date.now() };
    // Like connections, a live session hands errors on and keeps none (a flood of bad requests must not grow memory).
    if (this.keepHistory) this.errors.push(error);
    this.emit('error', error);
  }

  /**
   * A listener that reads the payloads of the frames and messages announced (a replay comparing
   * answers) says so: until the returned function is called, they are announced unmasked.
   */
  readPayloads(): () => void {
    this.payloadReaders++;
    let done = false;
    return () => {
      if (!done) this.payloadReaders--;
      done = true;
    };
  }

  /** Frames and messages go out with their wire bytes as they are. */
  private get passesWire(): boolean {
    return this.wirePayloads && this.payloadReaders === 0 && !this.keepHistory;
  }

  /** Numbers the next connections from id (a session continued from disk keeps its numbering). */
  renumberFrom(id: number): void {
    this.nextId = id;
  }

  connection(id: number): ConnectionRecord | undefined {
    return this.connections.find((c) => c.id === id);
  }
}
