// The in-memory model of what the proxy saw: connections, their handshakes, frames and messages.
// Wire types only (no view state): the control API and the HAR exporter read it.
import type { Frame, Message } from '../protocol/frame.js';

/** Which way a frame travelled, in Chrome's HAR words: send is client to server. */
export type Direction = 'send' | 'receive';

export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed' | 'failed';

/** An HTTP request head as it arrived from the client. */
export interface RecordedRequest {
  /** Request method, e.g. GET. */
  method: string;
  /** The request target as the client wrote it (absolute-form through an explicit proxy). */
  target: string;
  /** HTTP version, e.g. "1.1". */
  httpVersion: string;
  /** Headers in wire order, case and duplicates kept: [name, value, name, value, ...]. */
  rawHeaders: string[];
  /** When the head was complete, epoch milliseconds. */
  time: number;
}

/** The upstream's answer to the handshake, as on the wire. */
export interface RecordedResponse {
  /** Status code: 101 on success. */
  statusCode: number;
  /** The reason phrase. */
  statusMessage: string;
  /** HTTP version, e.g. "1.1". */
  httpVersion: string;
  /** Headers in wire order, case and duplicates kept. */
  rawHeaders: string[];
  /** The body of a non-101 answer, up to the stored-payload cap. */
  body?: Buffer;
  /** When the head was complete, epoch milliseconds. */
  time: number;
}

/** One handshake check as reported by the protocol core. */
export interface RecordedCheck {
  /** Stable id of the check. */
  id: string;
  /** Whether it passed. */
  ok: boolean;
  /** What was expected and what was found. */
  message: string;
  /** The RFC section behind the check. */
  rfc: string;
}

/** A wire frame with where and when it was seen. */
export interface CapturedFrame {
  /** Which way it travelled. */
  direction: Direction;
  /** When it went on the wire (its last byte passed the proxy), epoch milliseconds. */
  time: number;
  /**
   * When it arrived at the proxy, epoch milliseconds, when that was earlier than time: it was held at a
   * breakpoint or queued behind a held message. Absent when it went on as it came.
   */
  arrivedAt?: number;
  /** The decoded frame. */
  frame: Frame;
  /** The proxy made this frame (inject, resend, hand-crafted). */
  injected?: boolean;
  /** The proxy changed this frame's content before forwarding it; with dropped: an edited version replaced it. */
  edited?: boolean;
  /** The proxy did not forward this frame (dropped at a breakpoint, replaced by an edit, or after the proxy's own close). */
  dropped?: boolean;
  /** The names of the rules that changed, dropped, delayed or created it (", " between names); HAR `_rule`. */
  rule?: string;
  /** The user's note, on its way to or from HAR (`_notes`); the store keeps notes as Annotation records. */
  note?: string;
}

/** A reassembled data message with where and when it completed. */
export interface CapturedMessage {
  /** Which way it travelled. */
  direction: Direction;
  /** When its final frame went on the wire (passed the proxy), epoch milliseconds. */
  time: number;
  /**
   * When its final frame arrived at the proxy, epoch milliseconds, when that was earlier than time: it
   * was held at a breakpoint or queued behind a held message. Absent when it went on as it came.
   */
  arrivedAt?: number;
  /** The message. */
  message: Message;
  /** The proxy made this message (inject, resend). */
  injected?: boolean;
  /** The proxy sent this edited version in place of a held message; with dropped: the held original it replaced. */
  edited?: boolean;
  /** The proxy did not forward this message (dropped at a breakpoint, replaced by an edit, or after the proxy's own close). */
  dropped?: boolean;
  /** The names of the rules that changed, dropped, delayed or created it (", " between names); HAR `_rule`. */
  rule?: string;
  /** The user's note, on its way to or from HAR (`_notes`); the store keeps notes as Annotation records. */
  note?: string;
}

/** How the WebSocket ended. */
export interface RecordedClose {
  /** The close code from the first close frame, 1005 when it had none, 1006 when there was no close frame. */
  code: number;
  /** The close reason, '' when none. */
  reason: string;
  /** The side that closed first (sent the first close frame, or dropped the TCP connection). */
  closedBy: 'client' | 'server';
}

/** TLS facts about the upstream connection of a wss:// connection. */
export interface UpstreamTls {
  /** Whether the upstream certificate verified against the trusted roots. */
  verified: boolean;
  /** Why it did not verify, e.g. DEPTH_ZERO_SELF_SIGNED_CERT. */
  error?: string;
  /** Verification was switched off by the user (--insecure). */
  insecure: boolean;
}

export interface ConnectionRecord {
  /** Session-unique id, from 1. */
  id: number;
  /** ws:// or wss:// URL of the upstream endpoint. */
  url: string;
  /** The address and port the client connected from. */
  clientAddress: string;
  /** The upstream's address and port, once connected. */
  serverAddress?: string;
  /** When the client's request head arrived, epoch milliseconds. */
  startedAt: number;
  /** Where the connection is in its life. */
  state: ConnectionState;
  /** The client's handshake request. */
  request: RecordedRequest;
  /** For a replay: the id of the connection it replays. */
  replayOf?: number;
  /** The request as it went upstream, when the user edited it at a handshake breakpoint. */
  editedRequest?: RecordedRequest;
  /** The upstream's answer, when there was one. */
  response?: RecordedResponse;
  /** Handshake checks on the request and, once answered, the response. */
  checks: RecordedCheck[];
  /** The negotiated subprotocol. */
  protocol?: string;
  /** The negotiated Sec-WebSocket-Extensions value, as the server wrote it. */
  extensions?: string;
  /** TLS facts for wss:// connections. */
  tls?: UpstreamTls;
  /** What failed when the connection could not be made (DNS, refused, TLS, timeout). */
  error?: string;
  /** Every wire frame, both directions, in the order the proxy saw them. */
  frames: CapturedFrame[];
  /** Every data message, both directions. */
  messages: CapturedMessage[];
  /** How it ended. */
  close?: RecordedClose;
  /** When both sides were gone, epoch milliseconds. */
  endedAt?: number;
  /** The user's note, on its way to or from HAR (`_notes`); the store keeps notes as Annotation records. */
  note?: string;
}
